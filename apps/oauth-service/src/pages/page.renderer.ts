import { Injectable } from '@nestjs/common';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f6f7f9; color: #1d2129; margin: 0; }
  main { max-width: 640px; margin: 64px auto; background: #fff; border-radius: 12px; padding: 32px 40px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.5rem; margin-top: 0; }
  .buttons { display: flex; flex-direction: column; gap: 12px; margin: 24px 0; }
  a.button { display: block; text-align: center; padding: 12px 16px; border-radius: 8px; color: #fff; text-decoration: none; font-weight: 600; }
  .note { color: #5b6270; font-size: .9rem; }
  .banner { background: #fff4d6; border: 1px solid #f0c36d; padding: 8px 12px; border-radius: 6px; font-size: .9rem; }
  .ok { color: #1a7f37; } .fail { color: #cf222e; }
  ul { padding-left: 20px; }
`;

export interface PlatformButton {
  platform: string;
  label: string;
  /** CSS colour of the button. */
  color: string;
}

/** Server-rendered pages of the oauth-service: plain HTML and CSS, every dynamic value escaped. */
@Injectable()
export class PageRenderer {
  /** The landing page with one install button per configured platform. */
  index(buttons: PlatformButton[], sandbox: boolean, platformNames: string[]): string {
    const body = buttons.length
      ? `<div class="buttons">${buttons
          .map((b) => `<a class="button ${escape(b.platform)}" href="/oauth/install/${escape(b.platform)}">${escape(b.label)}</a>`)
          .join('')}</div>`
      : `<p>No platform is configured on this server yet. Set the ${escape(orList(platformNames))} credentials (see .env.example).</p>`;
    const banner = sandbox ? '<p class="banner">Sandbox mode: installs go to in-repo fakes of the platforms, no account is needed.</p>' : '';
    const colors = buttons.map((b) => `a.${cssName(b.platform)} { background: ${cssColor(b.color)}; }`).join(' ');
    return this.page('Install the bot', `<h1>Install the bot</h1>${banner}<p>Add the bot to your organisation:</p>${body}`, colors);
  }

  /** After a successful callback. */
  installed(displayName: string, orgs: { name: string; id: string }[]): string {
    const list = orgs.map((org) => `<li><strong>${escape(org.name)}</strong> <span class="note">(installation ${escape(org.id)})</span></li>`).join('');
    return this.page(
      'Installed',
      `<h1 class="ok">Installed in ${escape(displayName)}</h1><p>The bot was added to:</p><ul>${list}</ul><p><a href="/">Back</a></p>`,
    );
  }

  /** An install that began on the platform's own site and is recorded another way (GitHub: its installation webhook). */
  pending(heading: string, text: string): string {
    return this.page('Installation received', `<h1>${escape(heading)}</h1><p>${escape(text)}</p><p><a href="/">Back</a></p>`);
  }

  /** Any failure, with its status and a message that holds no secret. */
  failed(status: number, message: string): string {
    return this.page(
      'Installation failed',
      `<h1 class="fail">Installation failed</h1><p>${escape(message)}</p><p class="note">HTTP ${status}</p><p><a href="/">Start again</a></p>`,
    );
  }

  private page(title: string, content: string, extraStyle = ''): string {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title><style>${STYLE}${extraStyle}</style></head><body><main>${content}</main></body></html>`;
  }
}

/** `GitHub, Slack or Jira`. */
function orList(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? 'a platform');
}

/** A platform name as a CSS class (they are lower-case words; anything else is dropped). */
function cssName(name: string): string {
  return name.replace(/[^a-z0-9-]/gi, '');
}

/** A colour from the platform registry, kept to hex so it cannot break out of the style sheet. */
function cssColor(color: string): string {
  return /^#[0-9a-f]{3,8}$/i.test(color) ? color : '#1d2129';
}
