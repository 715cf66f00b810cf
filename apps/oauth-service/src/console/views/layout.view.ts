import { html, SafeHtml } from './html';

export type ConsoleSection = 'installations' | 'webhooks' | 'events';

/** What every signed-in page needs besides its content. */
export interface PageFrame {
  title: string;
  section?: ConsoleSection;
  /** The session's CSRF token, for the sign-out form; absent on pages shown before sign-in. */
  csrf?: string;
}

const SECTIONS: { id: ConsoleSection; href: string; label: string }[] = [
  { id: 'installations', href: '/admin/installations', label: 'Installations' },
  { id: 'webhooks', href: '/admin/webhooks', label: 'Webhook queue' },
  { id: 'events', href: '/admin/events', label: 'Health events' },
];

/** The page around every console view: skip link, navigation, sign-out, one <main>. */
export function layout(frame: PageFrame, content: SafeHtml): string {
  const nav = frame.csrf
    ? html`<nav aria-label="Console sections"><ul>${SECTIONS.map(
        (section) => html`<li><a href="${section.href}"${section.id === frame.section ? html` aria-current="page"` : ''}>${section.label}</a></li>`,
      )}</ul></nav>
      <form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="${frame.csrf}"><button type="submit">Sign out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${frame.title} · Operator console</title>
<link rel="icon" href="/admin/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin/assets/console.css">
<script src="/admin/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="brand">Operator console</div>${nav}</header>
<main id="main" tabindex="-1">
${content}
</main>
</body>
</html>`.toString();
}

/** A form that changes state: POST with the session's CSRF token. */
export function postForm(action: string, csrf: string, button: SafeHtml, hidden: Record<string, string | undefined> = {}): SafeHtml {
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">${Object.entries(hidden)
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}${button}</form>`;
}

/** The page shown for a refused or failed console request. */
export function errorPage(status: number, title: string, message: string, csrf?: string): string {
  return layout(
    { title, csrf },
    html`<h1>${title}</h1><div class="notice error" role="alert"><p>${message}</p></div><p class="note">HTTP ${status}</p><p><a href="/admin/installations">Back to the console</a></p>`,
  );
}
