import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The sign-in form. */
export class LoginForm {
  @IsOptional() @IsString() @MaxLength(1000)
  key?: string;

  @IsOptional() @IsString() @MaxLength(200)
  _csrf?: string;

  @IsOptional() @IsString() @MaxLength(2000)
  next?: string;
}

/** Where to go after signing in. */
export class LoginQuery {
  @IsOptional() @IsString() @MaxLength(2000)
  next?: string;

  @IsOptional() @IsString() @MaxLength(20)
  signed_out?: string;
}
