/**
 * The console's only stylesheet and script, served as files from /admin/assets so the Content-Security-Policy
 * can forbid every inline style and script.
 */
export const CONSOLE_CSS = `
:root {
  --bg: #f5f6f8; --panel: #fff; --text: #1b1f24; --muted: #57606a; --line: #d8dde3; --accent: #0b57d0;
  --ok: #116329; --ok-bg: #dafbe1; --warn: #7d4e00; --warn-bg: #fff1c2; --bad: #a40e26; --bad-bg: #ffe2e0;
  --off: #424a53; --off-bg: #eaeef2; --focus: #1f6feb;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; top: 8px; }
.top { background: #1b1f24; color: #fff; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 10px 20px; }
.top .brand { font-weight: 700; letter-spacing: .01em; }
.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0; padding: 0; }
.top nav a { color: #d0d7de; text-decoration: none; padding: 4px 2px; border-bottom: 2px solid transparent; }
.top nav a:hover { color: #fff; }
.top nav a[aria-current="page"] { color: #fff; border-bottom-color: #fff; }
.top form { margin-left: auto; }
.top button { background: transparent; color: #fff; border: 1px solid #6e7781; border-radius: 6px; padding: 4px 12px; font: inherit; cursor: pointer; }
main { max-width: 1200px; margin: 0 auto; padding: 20px; }
h1 { font-size: 1.5rem; margin: 8px 0 16px; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 28px 0 10px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin-bottom: 20px; }
.panel > h2:first-child { margin-top: 0; }
main > .actions { margin-bottom: 20px; }
.muted, .note { color: var(--muted); }
.note { font-size: .9rem; }
.notice { border-radius: 8px; padding: 10px 14px; margin-bottom: 16px; border: 1px solid; }
.notice.ok { background: var(--ok-bg); border-color: #4ac26b; color: var(--ok); }
.notice.error { background: var(--bad-bg); border-color: #ff8182; color: var(--bad); }
.notice.warn { background: var(--warn-bg); border-color: #d4a72c; color: var(--warn); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge.active, .badge.delivered, .badge.done { background: var(--ok-bg); color: var(--ok); border-color: #4ac26b; }
.badge.suspended, .badge.pending, .badge.processing, .badge.delivering { background: var(--warn-bg); color: var(--warn); border-color: #d4a72c; }
.badge.needs_reinstall, .badge.dead, .badge.failed { background: var(--bad-bg); color: var(--bad); border-color: #ff8182; }
.badge.revoked { background: var(--off-bg); color: var(--off); border-color: #afb8c1; }
table { width: 100%; border-collapse: collapse; background: var(--panel); }
caption { text-align: left; font-weight: 600; padding: 10px 10px 4px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #f6f8fa; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 10px; background: var(--panel); }
.table-wrap table { border: 0; }
.empty { padding: 16px; color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.mono { overflow-wrap: anywhere; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow: auto; max-height: 70vh; white-space: pre; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; max-height: none; }
dl.fields { display: grid; grid-template-columns: minmax(140px, max-content) 1fr; gap: 6px 20px; margin: 0; }
dl.fields dt { color: var(--muted); font-size: .9rem; }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
form.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 12px; }
form.filters .field { display: flex; flex-direction: column; gap: 4px; }
label { font-size: .85rem; font-weight: 600; }
input[type="search"] { min-width: 18em; }
input[type="text"], input[type="search"], input[type="password"], input[type="url"], select {
  font: inherit; padding: 7px 10px; border: 1px solid #8c959f; border-radius: 6px; background: #fff; min-width: 0; max-width: 100%;
}
input[readonly] { background: #f6f8fa; }
button, .button { font: inherit; font-weight: 600; padding: 7px 14px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; color: var(--text); cursor: pointer; text-decoration: none; display: inline-block; }
button.primary, .button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: #cf222e; border-color: #cf222e; color: #fff; }
.actions { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-top: 12px; }
.actions form { margin: 0; }
.pager { display: flex; gap: 16px; margin: 12px 0; }
.counts td a { text-decoration: none; }
.counts td a:hover { text-decoration: underline; }
.copy { display: flex; gap: 8px; flex-wrap: wrap; }
.copy input { flex: 1 1 280px; }
.login { max-width: 420px; margin: 8vh auto; }
.login form { display: flex; flex-direction: column; gap: 8px; }
.login input { width: 100%; }
.login button { margin-top: 8px; }
@media (max-width: 720px) {
  main { padding: 12px; }
  .top form { margin-left: 0; }
  dl.fields { grid-template-columns: 1fr; gap: 0; }
  dl.fields dd { margin-bottom: 10px; }
  table.cards thead { position: absolute; left: -9999px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border-bottom: 1px solid var(--line); padding: 8px 0; }
  table.cards td { border: 0; padding: 3px 12px; display: grid; grid-template-columns: 9em 1fr; gap: 8px; justify-items: start; }
  table.cards caption { display: block; width: auto; }
  table.cards td[data-label] { padding-top: 2px; padding-bottom: 2px; }
  table.counts tr { display: grid; grid-template-columns: 1fr 1fr; }
  table.counts th[scope="row"] { grid-column: 1 / -1; }
  table.counts td { grid-template-columns: 1fr auto; padding-right: 16px; }
  table.cards td::before { content: attr(data-label); color: var(--muted); font-size: .85rem; font-weight: 600; }
  table.cards td.num { text-align: left; }
  table.cards th[scope="row"] { display: block; padding: 4px 12px; color: var(--text); font-size: 1rem; }
}
`;

/** Progressive enhancement only: the "copy" buttons. Everything works without it. */
export const CONSOLE_JS = `
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  var input = document.getElementById(button.getAttribute('data-copy'));
  var status = document.getElementById(button.getAttribute('data-copy') + '-status');
  if (!input || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(input.value).then(function () {
      if (status) status.textContent = 'Copied to the clipboard.';
    }, function () {
      input.select();
      if (status) status.textContent = 'Select the link and copy it.';
    });
  });
});
`;

/** A small icon, so browsers do not ask for /favicon.ico. */
export const CONSOLE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1b1f24"/><path d="M8 17l5 5 11-12" fill="none" stroke="#4ac26b" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
