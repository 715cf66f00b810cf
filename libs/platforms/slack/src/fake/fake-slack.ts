import { Express, Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from '@bot/platform-fakes';

export interface FakeSlackOptions {
  clientId: string;
  clientSecret: string;
  /** Token rotation on: bot tokens expire and come with refresh tokens. */
  rotation?: boolean;
}

interface SlackGrant {
  teamId: string;
  teamName: string;
  enterprise: { id: string; name: string } | null;
  enterpriseInstall: boolean;
  scope: string;
  userId: string;
}

export interface FakeSlackUser {
  id: string;
  name: string;
  realName: string;
  isBot: boolean;
  isAdmin: boolean;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  /** Unix seconds. */
  created: number;
  memberIds: string[];
}

export interface FakeSlackMessage {
  ts: string;
  text: string;
  user: string;
  blocks?: unknown[];
  threadTs?: string;
  reactions: { name: string; users: string[] }[];
}

/** One workspace's data, seeded when the first grant for it is made. */
export interface FakeSlackTeam {
  id: string;
  name: string;
  domain: string;
  channels: FakeSlackChannel[];
  users: FakeSlackUser[];
  /** Messages per channel id, oldest first. */
  messages: Map<string, FakeSlackMessage[]>;
}

/** The user who approves installs in the fake. */
export const SLACK_INSTALLER_USER_ID = 'U0INSTALLER';
/** The app's bot user in every fake workspace; messages the bot posts carry it. */
export const SLACK_BOT_USER_ID = 'U0BOTUSER01';
export const SLACK_BOT_ID = 'B0SANDBOX01';
export const SLACK_APP_ID = 'A0SANDBOX01';
/** Channel names seeded in every workspace, in `conversations.list` order; ids come from `FakeSlack.channelId`. */
export const SLACK_SEEDED_CHANNELS = ['general', 'random', 'dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5'];

const ROTATING_TOKEN_LIFETIME_S = 43_200;
const DEFAULT_BOT_SCOPE = 'chat:write,channels:read,reactions:write,users:read,team:read';
const SEEDED_USERS: FakeSlackUser[] = [
  { id: SLACK_INSTALLER_USER_ID, name: 'sandbox.installer', realName: 'Sandbox Installer', isBot: false, isAdmin: true },
  { id: SLACK_BOT_USER_ID, name: 'sandbox-bot', realName: 'Sandbox Bot', isBot: true, isAdmin: false },
  { id: 'U0ALICE0001', name: 'alice', realName: 'Alice Example', isBot: false, isAdmin: false },
  { id: 'U0BOB000001', name: 'bob', realName: 'Bob Example', isBot: false, isAdmin: false },
];

/** Arguments of a Web API call: query and body merged, as Slack reads them. */
type SlackArgs = Record<string, unknown>;
type SlackMethod = (args: SlackArgs, caller: { token: string; grant: SlackGrant; team: FakeSlackTeam }) => Record<string, unknown>;

/**
 * Slack: the v2 authorize page, `oauth.v2.access` (codes and, with rotation, refresh tokens), and the Web API
 * methods the bot uses (`auth.test`, `auth.revoke`, `team.info`, `chat.postMessage`, `conversations.list`,
 * `reactions.add`, `users.info`) against per-workspace data, answering HTTP 200 with `ok: false` on errors as Slack
 * does. Authorize page flags: `fake_team=<id>`, `fake_enterprise_install=1`, `fake_decision=deny`.
 */
export class FakeSlack extends FakePlatform {
  rotation: boolean;
  /** Live bot tokens → the grant they belong to. */
  readonly botTokens = new Map<string, SlackGrant>();
  /** Workspaces by team id. */
  readonly teams = new Map<string, FakeSlackTeam>();
  private readonly codes = new Map<string, SlackGrant & { redirectUri: string }>();
  private readonly refreshTokens = new Map<string, SlackGrant>();
  /** Expiry (epoch ms) of rotating tokens; tokens without one never expire, as non-rotating Slack tokens. */
  private readonly tokenExpiry = new Map<string, number>();
  private readonly expiredTokens = new Set<string>();
  private readonly revokedTokens = new Set<string>();
  private lastTsMicros = 0;

  protected readonly persistentFields = ['botTokens', 'teams', 'codes', 'refreshTokens', 'tokenExpiry', 'expiredTokens', 'revokedTokens', 'lastTsMicros'];

  constructor(private readonly options: FakeSlackOptions) {
    super();
    this.rotation = Boolean(options.rotation);
  }

  /** A bot token for the workspace as a completed install would give, without the OAuth dance. */
  grantBotToken(teamId: string, options: { rotation?: boolean } = {}): { accessToken: string; refreshToken?: string } {
    const grant: SlackGrant = { teamId, teamName: `Workspace ${teamId}`, enterprise: null, enterpriseInstall: false, scope: DEFAULT_BOT_SCOPE, userId: SLACK_INSTALLER_USER_ID };
    return this.issueTokens(grant, options.rotation ?? this.rotation);
  }

  /** From now on the token gets `token_expired`, as a rotating token past its 12 hours. */
  expireToken(token: string): void {
    this.botTokens.delete(token);
    this.tokenExpiry.delete(token);
    this.expiredTokens.add(token);
  }

  /** The workspace's data, seeding it (channels, users) on first use. */
  team(teamId: string): FakeSlackTeam {
    let team = this.teams.get(teamId);
    if (!team) {
      team = {
        id: teamId,
        name: `Workspace ${teamId}`,
        domain: teamId.toLowerCase(),
        channels: SLACK_SEEDED_CHANNELS.map((name, index) => ({
          id: this.channelId(teamId, name),
          name,
          isPrivate: false,
          isArchived: false,
          created: 1_767_225_600 + index,
          // Everyone is in the two general channels; the dev channels have the installer and the bot.
          memberIds: index < 2 ? SEEDED_USERS.map((user) => user.id) : [SLACK_INSTALLER_USER_ID, SLACK_BOT_USER_ID],
        })),
        users: SEEDED_USERS.map((user) => ({ ...user })),
        messages: new Map(),
      };
      this.teams.set(teamId, team);
    }
    return team;
  }

  /** The id of a seeded channel: stable per workspace and distinct between workspaces, e.g. `C1A2B3C01`. */
  channelId(teamId: string, name: string): string {
    const index = SLACK_SEEDED_CHANNELS.indexOf(name);
    if (index < 0) throw new Error(`no seeded Slack channel ${name}`);
    const teamPart = createHash('sha256').update(`team:${teamId}`).digest('hex').slice(0, 6).toUpperCase();
    return `C${teamPart}${String(index + 1).padStart(2, '0')}`;
  }

  /** Messages posted to a channel, oldest first. */
  messages(teamId: string, channelId: string): FakeSlackMessage[] {
    return this.team(teamId).messages.get(channelId) ?? [];
  }

  protected routes(app: Express): void {
    this.handle(app, 'get', '/oauth/v2/authorize', (req, res) => {
      const redirectUri = String(req.query['redirect_uri'] ?? '');
      const state = req.query['state'] as string | undefined;
      if (req.query['client_id'] !== this.options.clientId || !redirectUri) {
        return res.status(400).send('Invalid client_id parameter');
      }
      if (req.query['fake_decision'] === 'deny') return res.redirect(302, withQuery(redirectUri, { error: 'access_denied', state }));
      const teamId = String(req.query['fake_team'] ?? 'T0SANDBOX1');
      const enterpriseInstall = req.query['fake_enterprise_install'] === '1';
      const code = fakeSecret('', 18);
      this.codes.set(code, {
        teamId,
        teamName: `Workspace ${teamId}`,
        enterprise: enterpriseInstall ? { id: 'E0SANDBOX1', name: 'Sandbox Enterprise' } : null,
        enterpriseInstall,
        scope: String(req.query['scope'] ?? ''),
        userId: SLACK_INSTALLER_USER_ID,
        redirectUri,
      });
      res.redirect(302, withQuery(redirectUri, { code, state }));
    });

    this.handle(app, 'post', '/api/oauth.v2.access', (req, res) => {
      const body = (req.body ?? {}) as Record<string, string>;
      const [clientId, clientSecret] = this.clientCredentials(req);
      if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) {
        return res.json({ ok: false, error: 'invalid_client_id' });
      }
      if (body['grant_type'] === 'refresh_token') {
        const grant = this.refreshTokens.get(body['refresh_token']);
        if (!grant) return res.json({ ok: false, error: 'invalid_refresh_token' });
        this.refreshTokens.delete(body['refresh_token']);
        return res.json(this.oauthAnswer(grant, true));
      }
      const grant = this.codes.get(body['code']);
      if (!grant) return res.json({ ok: false, error: 'invalid_code' });
      this.codes.delete(body['code']);
      if (body['redirect_uri'] && body['redirect_uri'] !== grant.redirectUri) return res.json({ ok: false, error: 'bad_redirect_uri' });
      res.json(this.oauthAnswer(grant, this.rotation));
    });

    for (const [name, method] of Object.entries(this.webApi())) {
      for (const verb of ['get', 'post'] as const) {
        this.handle(app, verb, `/api/${name}`, (req, res) => {
          const args: SlackArgs = { ...(req.query as SlackArgs), ...(isObject(req.body) ? req.body : {}) };
          const caller = this.caller(req, args);
          res.json('error' in caller ? { ok: false, error: caller.error } : method(args, caller));
        });
      }
    }

    for (const verb of ['get', 'post'] as const) {
      this.handle(app, verb, '/api/:method', (req, res) => {
        res.status(404).json({ ok: false, error: 'unknown_method', req_method: req.params['method'] });
      });
    }
  }

  protected override unparsableBody(_req: Request, res: Response): void {
    res.status(200).json({ ok: false, error: 'invalid_json' });
  }

  /** The Web API methods by name; each gets an authenticated caller and the call's arguments. */
  private webApi(): Record<string, SlackMethod> {
    return {
      'auth.test': (_args, { grant, team }) => ({
        ok: true,
        url: `https://${team.domain}.slack.com/`,
        team: team.name,
        user: 'sandbox-bot',
        team_id: team.id,
        user_id: SLACK_BOT_USER_ID,
        bot_id: SLACK_BOT_ID,
        ...(grant.enterprise ? { enterprise_id: grant.enterprise.id } : {}),
        is_enterprise_install: grant.enterpriseInstall,
      }),

      'auth.revoke': (_args, { token }) => {
        this.botTokens.delete(token);
        this.tokenExpiry.delete(token);
        this.revokedTokens.add(token);
        return { ok: true, revoked: true };
      },

      'team.info': (_args, { grant }) => ({
        ok: true,
        team: {
          id: grant.teamId,
          name: grant.teamName,
          domain: grant.teamId.toLowerCase(),
          email_domain: '',
          icon: { image_132: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-132.png' },
          enterprise_id: grant.enterprise?.id,
          enterprise_name: grant.enterprise?.name,
        },
      }),

      'chat.postMessage': (args, { team }) => {
        const channel = findChannel(team, args['channel']);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (channel.isArchived) return { ok: false, error: 'is_archived' };
        const blocks = structuredArg(args['blocks']);
        if (blocks !== undefined && !Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks' };
        const text = args['text'] === undefined ? '' : String(args['text']);
        if (!text && !blocks?.length && args['attachments'] === undefined) return { ok: false, error: 'no_text' };
        const threadTs = args['thread_ts'] === undefined ? undefined : String(args['thread_ts']);
        const message: FakeSlackMessage = { ts: this.nextTs(), text, user: SLACK_BOT_USER_ID, blocks, threadTs, reactions: [] };
        team.messages.set(channel.id, [...(team.messages.get(channel.id) ?? []), message]);
        return {
          ok: true,
          channel: channel.id,
          ts: message.ts,
          message: {
            user: SLACK_BOT_USER_ID,
            type: 'message',
            ts: message.ts,
            bot_id: SLACK_BOT_ID,
            app_id: SLACK_APP_ID,
            text,
            team: team.id,
            ...(blocks ? { blocks } : {}),
            ...(threadTs ? { thread_ts: threadTs } : {}),
          },
        };
      },

      'conversations.list': (args, { team }) => {
        const types = String(args['types'] ?? 'public_channel').split(',');
        const excludeArchived = ['true', '1'].includes(String(args['exclude_archived']));
        const channels = team.channels.filter(
          (channel) => types.includes(channel.isPrivate ? 'private_channel' : 'public_channel') && !(excludeArchived && channel.isArchived),
        );
        const limit = Math.min(1000, positiveInteger(args['limit']) ?? 100);
        const offset = args['cursor'] ? decodeCursor(String(args['cursor'])) : 0;
        if (offset === undefined) return { ok: false, error: 'invalid_cursor' };
        const page = channels.slice(offset, offset + limit);
        const nextOffset = offset + page.length;
        return {
          ok: true,
          channels: page.map((channel) => describeChannel(team, channel)),
          response_metadata: { next_cursor: nextOffset < channels.length ? encodeCursor(nextOffset) : '' },
        };
      },

      'reactions.add': (args, { team }) => {
        const channel = findChannel(team, args['channel']);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const name = String(args['name'] ?? '').replace(/^:|:$/g, '');
        if (!name) return { ok: false, error: 'no_reaction' };
        const message = team.messages.get(channel.id)?.find((candidate) => candidate.ts === String(args['timestamp'] ?? ''));
        if (!message) return { ok: false, error: 'message_not_found' };
        let reaction = message.reactions.find((candidate) => candidate.name === name);
        if (reaction?.users.includes(SLACK_BOT_USER_ID)) return { ok: false, error: 'already_reacted' };
        if (!reaction) message.reactions.push((reaction = { name, users: [] }));
        reaction.users.push(SLACK_BOT_USER_ID);
        return { ok: true };
      },

      'users.info': (args, { team }) => {
        const user = team.users.find((candidate) => candidate.id === String(args['user'] ?? ''));
        return user ? { ok: true, user: describeUser(team, user) } : { ok: false, error: 'user_not_found' };
      },
    };
  }

  /**
   * Who is calling: the token from `Authorization: Bearer` or, for form bodies, a `token` field (Slack does not
   * read tokens from JSON bodies), with Slack's error for a missing, revoked, expired or unknown token.
   */
  private caller(req: Request, args: SlackArgs): { token: string; grant: SlackGrant; team: FakeSlackTeam } | { error: string } {
    const token = bearerToken(req) ?? (req.is('application/x-www-form-urlencoded') && typeof args['token'] === 'string' ? args['token'] : undefined);
    if (!token) return { error: 'not_authed' };
    const expiresAt = this.tokenExpiry.get(token);
    if (expiresAt !== undefined && expiresAt <= Date.now()) this.expireToken(token);
    const grant = this.botTokens.get(token);
    if (grant) return { token, grant, team: this.team(grant.teamId) };
    if (this.revokedTokens.has(token)) return { error: 'token_revoked' };
    return { error: this.expiredTokens.has(token) ? 'token_expired' : 'invalid_auth' };
  }

  /** `oauth.v2.access`'s answer for a grant, with a fresh bot token. */
  private oauthAnswer(grant: SlackGrant, rotation: boolean) {
    const { accessToken, refreshToken } = this.issueTokens(grant, rotation);
    return {
      ok: true,
      app_id: SLACK_APP_ID,
      authed_user: { id: grant.userId },
      scope: grant.scope,
      token_type: 'bot',
      access_token: accessToken,
      bot_user_id: SLACK_BOT_USER_ID,
      team: grant.enterpriseInstall ? null : { id: grant.teamId, name: grant.teamName },
      enterprise: grant.enterprise,
      is_enterprise_install: grant.enterpriseInstall,
      ...(refreshToken ? { expires_in: ROTATING_TOKEN_LIFETIME_S, refresh_token: refreshToken } : {}),
    };
  }

  /** A bot token for the grant (rotating: expiring, with a refresh token), seeding the workspace's data. */
  private issueTokens(grant: SlackGrant, rotation: boolean): { accessToken: string; refreshToken?: string } {
    this.team(grant.teamId);
    const accessToken = rotation ? fakeSecret('xoxe.xoxb-1-') : fakeSecret('xoxb-1-');
    this.botTokens.set(accessToken, grant);
    if (!rotation) return { accessToken };
    const refreshToken = fakeSecret('xoxe-1-');
    this.refreshTokens.set(refreshToken, grant);
    this.tokenExpiry.set(accessToken, Date.now() + ROTATING_TOKEN_LIFETIME_S * 1000);
    return { accessToken, refreshToken };
  }

  /** A message timestamp as Slack makes them (`<unix seconds>.<microseconds>`), unique and increasing. */
  private nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    return `${Math.floor(this.lastTsMicros / 1e6)}.${String(this.lastTsMicros % 1e6).padStart(6, '0')}`;
  }

  /** Slack takes client credentials as HTTP Basic auth or as form fields. */
  private clientCredentials(req: Request): [string | undefined, string | undefined] {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':');
      return [id, secret];
    }
    const body = (req.body ?? {}) as Record<string, string>;
    return [body['client_id'], body['client_secret']];
  }
}

/** A channel of the workspace by id or (`#`)name; channels of other workspaces are not found. */
function findChannel(team: FakeSlackTeam, channel: unknown): FakeSlackChannel | undefined {
  if (typeof channel !== 'string' || !channel) return undefined;
  return team.channels.find((candidate) => candidate.id === channel || candidate.name === channel.replace(/^#/, ''));
}

function describeChannel(team: FakeSlackTeam, channel: FakeSlackChannel) {
  const blank = { value: '', creator: '', last_set: 0 };
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !channel.isPrivate,
    is_group: channel.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    is_archived: channel.isArchived,
    is_general: channel.name === 'general',
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_member: channel.memberIds.includes(SLACK_BOT_USER_ID),
    created: channel.created,
    updated: channel.created * 1000,
    creator: SLACK_INSTALLER_USER_ID,
    unlinked: 0,
    context_team_id: team.id,
    shared_team_ids: [team.id],
    num_members: channel.memberIds.length,
    topic: blank,
    purpose: blank,
    previous_names: [],
  };
}

function describeUser(team: FakeSlackTeam, user: FakeSlackUser) {
  const image = `https://a.slack-edge.com/80588/img/avatars/ava_00${user.isBot ? '02' : '01'}-72.png`;
  return {
    id: user.id,
    team_id: team.id,
    name: user.name,
    deleted: false,
    real_name: user.realName,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    is_admin: user.isAdmin,
    is_owner: user.isAdmin,
    is_primary_owner: user.id === SLACK_INSTALLER_USER_ID,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: 1_767_225_600,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.name,
      display_name_normalized: user.name,
      ...(user.isBot ? { bot_id: SLACK_BOT_ID, api_app_id: SLACK_APP_ID } : { email: `${user.name}@example.com` }),
      image_72: image,
      team: team.id,
    },
  };
}

/** Slack's cursors are opaque base64; the fake's encode the offset of the next item. */
function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString());
  return match ? Number(match[1]) : undefined;
}

/**
 * A structured argument: as given in a JSON body, or JSON-encoded in a form field (how the Slack SDK sends
 * `blocks`); a form field that does not parse stays the string it was, which callers reject.
 */
function structuredArg(value: unknown): unknown {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 ? number : undefined;
}
