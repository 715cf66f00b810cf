import { Injectable } from '@nestjs/common';

/** The current time, behind a class so flows can be tested at chosen instants. */
@Injectable()
export class Clock {
  /** Now. */
  now(): Date {
    return new Date();
  }
}
