import { encryptedColumn } from '@bot/crypto';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Platform } from './installation.entity';

/** A pending authorization: single use, bound to one platform, short-lived. */
@Entity({ name: 'oauth_states' })
export class OAuthState {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128 })
  state: string;

  @Column({ type: 'varchar', length: 20 })
  platform: Platform;

  /** PKCE verifier (Jira); encrypted because it completes the code exchange. */
  @Column({ name: 'code_verifier', type: 'text', nullable: true, transformer: encryptedColumn })
  codeVerifier: string | null;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 512, nullable: true })
  redirectUri: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  metadata: Record<string, unknown>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
