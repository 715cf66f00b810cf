import type { AuditEvent, InstallationSummary } from '@bot/installations';
import { badge, count, expiry, prettyJson, query, relative, time } from './format';
import { html, SafeHtml } from './html';
import { layout, postForm } from './layout.view';

export interface InstallationListModel {
  now: Date;
  csrf: string;
  platforms: readonly string[];
  statuses: readonly string[];
  /** `counts[platform][status]`. */
  counts: Record<string, Record<string, number>>;
  filter: { platform?: string; status?: string; q?: string };
  rows: InstallationSummary[];
  nextHref: string | null;
  previousHref: string | null;
}

/** A Jira admin webhook or a dynamic registration, as the installation page lists it. */
export interface WebhookRegistrationView {
  kind: string;
  target: string;
  state: string;
  expiresAt: Date | null;
}

export interface InstallationDetailModel {
  now: Date;
  csrf: string;
  installation: InstallationSummary;
  audit: AuditEvent[];
  olderAuditHref: string | null;
  newestAuditHref: string | null;
  webhooks: WebhookRegistrationView[] | null;
  reinstallUrl: string | null;
  notice?: { kind: 'ok' | 'warn' | 'error'; text: string };
}

const label = (text: string) => text.replace(/_/g, ' ');
const orgName = (row: InstallationSummary) => row.externalOrgName ?? row.externalOrgId;

/** The installations list: counts per platform and status, filters, one page of rows, pager. */
export function installationListPage(model: InstallationListModel): string {
  const { filter } = model;
  const filtered = Boolean(filter.platform || filter.status || filter.q);
  const countCell = (platform: string | undefined, status: string | undefined, value: number) =>
    html`<td class="num" data-label="${status ? label(status) : 'total'}"><a href="/admin/installations${query({ platform, status })}" aria-label="${count(value)} ${platform ?? 'all platforms'} ${status ? label(status) : 'in total'}">${count(value)}</a></td>`;
  const total = (platform?: string, status?: string) =>
    model.platforms
      .filter((p) => !platform || p === platform)
      .reduce((sum, p) => sum + model.statuses.filter((s) => !status || s === status).reduce((inner, s) => inner + (model.counts[p]?.[s] ?? 0), 0), 0);

  const counts = html`<div class="table-wrap"><table class="counts cards">
  <caption>Installations per platform and status</caption>
  <thead><tr><th scope="col">Platform</th>${model.statuses.map((status) => html`<th scope="col" class="num">${label(status)}</th>`)}<th scope="col" class="num">total</th></tr></thead>
  <tbody>
  ${model.platforms.map(
    (platform) => html`<tr><th scope="row">${platform}</th>${model.statuses.map((status) => countCell(platform, status, model.counts[platform]?.[status] ?? 0))}${countCell(platform, undefined, total(platform))}</tr>`,
  )}
  <tr><th scope="row">all</th>${model.statuses.map((status) => countCell(undefined, status, total(undefined, status)))}${countCell(undefined, undefined, total())}</tr>
  </tbody></table></div>`;

  const option = (value: string, selected: string | undefined, text = value) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${text}</option>`;
  const filters = html`<form class="filters panel" method="get" action="/admin/installations" role="search" aria-label="Filter installations">
  <div class="field"><label for="platform">Platform</label><select id="platform" name="platform">${option('', filter.platform, 'All platforms')}${model.platforms.map((p) => option(p, filter.platform))}</select></div>
  <div class="field"><label for="status">Status</label><select id="status" name="status">${option('', filter.status, 'All statuses')}${model.statuses.map((s) => option(s, filter.status, label(s)))}</select></div>
  <div class="field"><label for="q">Organisation</label><input type="search" id="q" name="q" value="${filter.q ?? ''}" maxlength="200" placeholder="name or id"></div>
  <div class="actions"><button type="submit" class="primary">Apply</button>${filtered ? html`<a href="/admin/installations">Clear filters</a>` : ''}</div>
</form>`;

  const rows = model.rows.length
    ? html`<div class="table-wrap"><table class="cards">
  <caption class="visually-hidden">Installations${filtered ? ' matching the filters' : ''}, newest first</caption>
  <thead><tr><th scope="col">Organisation</th><th scope="col">Platform</th><th scope="col">Status</th><th scope="col">Installed by</th><th scope="col">Token expiry</th><th scope="col">Last used</th><th scope="col">Created</th></tr></thead>
  <tbody>${model.rows.map(
    (row) => html`<tr>
    <td data-label="Organisation"><a href="/admin/installations/${row.id}">${orgName(row)}</a>${row.externalOrgName ? html`<br><span class="note mono">${row.externalOrgId}</span>` : ''}</td>
    <td data-label="Platform">${row.platform}</td>
    <td data-label="Status">${badge(row.status)}</td>
    <td data-label="Installed by">${row.installedBy ?? html`<span class="muted">—</span>`}</td>
    <td data-label="Token expiry">${tokenExpiry(row, model.now)}</td>
    <td data-label="Last used">${relative(row.lastUsedAt, model.now)}</td>
    <td data-label="Created">${time(row.createdAt)}</td>
  </tr>`,
  )}</tbody></table></div>`
    : html`<p class="panel empty">No installation matches${filtered ? ' these filters' : ' yet'}.</p>`;

  const pager =
    model.previousHref || model.nextHref
      ? html`<nav class="pager" aria-label="Pages">${model.previousHref ? html`<a href="${model.previousHref}" rel="prev">← Newer</a>` : ''}${
          model.nextHref ? html`<a href="${model.nextHref}" rel="next">Older →</a>` : ''
        }</nav>`
      : '';

  return layout({ title: 'Installations', section: 'installations', csrf: model.csrf }, html`<h1>Installations</h1>${counts}<h2>Find installations</h2>${filters}${rows}${pager}`);
}

/** One installation: fields without secrets, re-install link, webhooks, revoke, audit trail. */
export function installationDetailPage(model: InstallationDetailModel): string {
  const i = model.installation;
  const field = (name: string, value: SafeHtml | string | null) => html`<dt>${name}</dt><dd>${value === null || value === '' ? html`<span class="muted">—</span>` : value}</dd>`;
  const metadata = prettyJson(i.metadata, 8000);
  const broken = i.status !== 'active';

  const notice = model.notice ? html`<div class="notice ${model.notice.kind}" role="status">${model.notice.text}</div>` : '';
  const status = html`<p>${badge(i.status)} ${i.statusReason ? html`<span>${i.statusReason}</span>` : ''}</p>`;

  const reinstall =
    model.reinstallUrl && broken
      ? html`<section class="panel" aria-labelledby="reinstall-heading">
  <h2 id="reinstall-heading">Re-install link</h2>
  <p>Send this link to an administrator of <strong>${orgName(i)}</strong>; installing again restores the installation (same row, new tokens).</p>
  <div class="copy"><label for="reinstall-url" class="visually-hidden">Re-install link</label><input type="text" id="reinstall-url" value="${model.reinstallUrl}" readonly>
  <button type="button" data-copy="reinstall-url" hidden>Copy link</button></div>
  <p id="reinstall-url-status" class="note" role="status" aria-live="polite"></p>
</section>`
      : '';

  const fields = html`<section class="panel" aria-labelledby="fields-heading"><h2 id="fields-heading">Details</h2><dl class="fields">
  ${field('Installation id', html`<span class="mono">${i.id}</span>`)}
  ${field('Platform', i.platform)}
  ${field('Organisation', i.externalOrgName)}
  ${field('Organisation id', html`<span class="mono">${i.externalOrgId}</span>`)}
  ${field('Platform installation id', i.externalInstallId)}
  ${field('Installed by', i.installedBy)}
  ${field('Scopes', i.scopes.length ? html`<span class="mono">${i.scopes.join(', ')}</span>` : null)}
  ${field('Token expiry', tokenExpiry(i, model.now))}
  ${field('Last used', relative(i.lastUsedAt, model.now))}
  ${field('Created', time(i.createdAt))}
  ${field('Updated', time(i.updatedAt))}
  ${field('Revoked', i.revokedAt ? time(i.revokedAt) : null)}
  ${field('Grant', i.oauthGrantId ? html`<span class="mono">${i.oauthGrantId}</span>` : null)}
  ${field('Metadata', html`<pre>${metadata.text}</pre>${metadata.truncated ? html`<span class="note">Cut at 8,000 characters.</span>` : ''}`)}
</dl><p class="note">Tokens, refresh tokens, keys and webhook secrets are never shown here.</p></section>`;

  const webhooks =
    model.webhooks === null
      ? ''
      : html`<section class="panel" aria-labelledby="webhooks-heading"><h2 id="webhooks-heading">Webhook registrations</h2>${
          model.webhooks.length
            ? html`<table class="cards"><thead><tr><th scope="col">Kind</th><th scope="col">Target</th><th scope="col">State</th><th scope="col">Expires</th></tr></thead><tbody>${model.webhooks.map(
                (w) => html`<tr><td data-label="Kind">${w.kind}</td><td data-label="Target" class="mono">${w.target}</td><td data-label="State">${w.state}</td><td data-label="Expires">${w.expiresAt ? relative(w.expiresAt, model.now) : html`<span class="muted">—</span>`}</td></tr>`,
              )}</tbody></table>`
            : html`<p class="muted">No webhook registration is recorded for this installation.</p>`
        }</section>`;

  const actions =
    i.status === 'revoked'
      ? html`<p class="muted">This installation is revoked; its tokens were erased${i.revokedAt ? html` ${relative(i.revokedAt, model.now)}` : ''}.</p>`
      : html`<div class="actions"><a class="button" href="/admin/installations/${i.id}/revoke">Revoke…</a></div>`;

  const audit = html`<section aria-labelledby="audit-heading"><h2 id="audit-heading">Audit trail</h2>${
    model.audit.length
      ? html`<div class="table-wrap"><table class="cards"><caption class="visually-hidden">Audit events, newest first</caption>
  <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Detail</th></tr></thead>
  <tbody>${model.audit.map(
    (event) => html`<tr><td data-label="When">${time(event.occurredAt)}</td><td data-label="Event"><code>${event.event}</code></td><td data-label="Actor">${event.actor ?? html`<span class="muted">—</span>`}</td><td data-label="Detail"><code class="mono">${auditDetail(event.detail)}</code></td></tr>`,
  )}</tbody></table></div>`
      : html`<p class="panel empty">No audit event${model.newestAuditHref ? ' on this page' : ' yet'}.</p>`
  }${
    model.olderAuditHref || model.newestAuditHref
      ? html`<nav class="pager" aria-label="Audit pages">${model.newestAuditHref ? html`<a href="${model.newestAuditHref}">↑ Newest events</a>` : ''}${model.olderAuditHref ? html`<a href="${model.olderAuditHref}" rel="next">Older events →</a>` : ''}</nav>`
      : ''
  }</section>`;

  return layout(
    { title: orgName(i), section: 'installations', csrf: model.csrf },
    html`<p><a href="/admin/installations">← Installations</a></p><h1>${orgName(i)} <span class="muted">· ${i.platform}</span></h1>${notice}${status}${actions}${reinstall}${fields}${webhooks}${audit}`,
  );
}

/** The confirm step of a revoke. */
export function revokeConfirmPage(model: { csrf: string; installation: InstallationSummary }): string {
  const i = model.installation;
  return layout(
    { title: `Revoke ${orgName(i)}`, section: 'installations', csrf: model.csrf },
    html`<p><a href="/admin/installations/${i.id}">← Back to the installation</a></p>
<h1>Revoke ${orgName(i)}?</h1>
<div class="panel">
  <p>This revokes the ${i.platform} installation of <strong>${orgName(i)}</strong> (<span class="mono">${i.id}</span>):</p>
  <ul>
    <li>the platform is asked to revoke our access where it can;</li>
    <li>every stored token and secret of the installation is erased, and the API apps stop using it;</li>
    <li>the installation stays listed as revoked; installing again from the organisation creates access anew.</li>
  </ul>
  <div class="actions">${postForm(`/admin/installations/${i.id}/revoke`, model.csrf, html`<button type="submit" class="danger">Revoke installation</button>`)}
  <a href="/admin/installations/${i.id}">Cancel</a></div>
</div>`,
  );
}

/** The expiry of the stored token; nothing for a revoked or broken installation, whose token is not usable. */
function tokenExpiry(row: InstallationSummary, now: Date): SafeHtml {
  if (row.status === 'revoked' || row.status === 'needs_reinstall') return html`<span class="muted">—</span>`;
  return expiry(row.tokenExpiresAt, now);
}

/** Audit detail as one line of JSON, shortened. */
function auditDetail(detail: Record<string, unknown>): string {
  const text = JSON.stringify(detail);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
