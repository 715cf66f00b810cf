import type { DeliveryListItem, DeliverySummary } from '@bot/health-events';
import type { HealthEventEndpoint } from '@bot/installations';
import { badge, count, duration, query, relative, time } from './format';
import { html } from './html';
import { layout, postForm } from './layout.view';

export interface HealthEventsModel {
  now: Date;
  csrf: string;
  summary: DeliverySummary;
  endpoints: HealthEventEndpoint[];
  status: string;
  statuses: readonly string[];
  deliveries: DeliveryListItem[];
  nextHref: string | null;
  firstHref: string | null;
  notice?: string;
}

/** Delivery counts, endpoints, and the deliveries of one status (failed ones with a retry button). */
export function healthEventsPage(model: HealthEventsModel): string {
  const { counts } = model.summary;
  const summary = html`<div class="panel"><dl class="fields">
<dt>Failed</dt><dd>${counts.failed ? html`<a href="/admin/events?status=failed">${count(counts.failed)}</a>` : '0'} <span class="note">gave up after 24 hours of retries</span></dd>
<dt>Pending</dt><dd>${count(counts.pending)}${model.summary.oldestPendingAt ? html` <span class="note">oldest created ${duration(model.now.getTime() - model.summary.oldestPendingAt.getTime())} ago</span>` : ''}</dd>
<dt>Being sent</dt><dd>${count(counts.delivering)}</dd>
<dt>Delivered</dt><dd>${count(counts.delivered)}</dd>
<dt>Events not yet fanned out</dt><dd>${count(model.summary.waitingEvents)}</dd>
</dl></div>`;

  const endpoints = model.endpoints.length
    ? html`<div class="table-wrap"><table class="cards"><caption class="visually-hidden">Endpoints</caption><thead><tr><th scope="col">URL</th><th scope="col">Source</th><th scope="col">Description</th><th scope="col">Added</th></tr></thead>
<tbody>${model.endpoints.map(
        (endpoint) => html`<tr><td data-label="URL" class="mono">${endpoint.url}</td><td data-label="Source">${endpoint.source === 'env' ? 'EVENT_WEBHOOK_URLS' : 'admin API'}</td><td data-label="Description">${endpoint.description ?? html`<span class="muted">—</span>`}</td><td data-label="Added">${time(endpoint.createdAt)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="panel empty">No endpoint is registered: events are kept but sent nowhere. Set <code>EVENT_WEBHOOK_URLS</code> or use <code>POST /oauth/event-endpoints</code>.</p>`;

  const tabs = html`<nav aria-label="Delivery status" class="pager">${model.statuses.map((status) =>
    status === model.status ? html`<strong aria-current="page">${status}</strong>` : html`<a href="/admin/events${query({ status })}">${status}</a>`,
  )}</nav>`;

  const deliveries = model.deliveries.length
    ? html`<div class="table-wrap"><table class="cards"><caption class="visually-hidden">${model.status} deliveries, most recently changed first</caption>
<thead><tr><th scope="col">Event</th><th scope="col">Installation</th><th scope="col">Endpoint</th><th scope="col" class="num">Attempts</th><th scope="col">Last attempt</th><th scope="col">Last error</th>${model.status === 'failed' ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
<tbody>${model.deliveries.map(
        (d) => html`<tr>
<td data-label="Event"><code>${d.eventType}</code><br><span class="note mono">${d.eventId}</span><br><span class="note">occurred ${relative(d.occurredAt, model.now)}</span></td>
<td data-label="Installation">${d.installationId ? html`<a href="/admin/installations/${d.installationId}">${d.orgName ?? d.installationId}</a> <span class="note">${d.platform ?? ''}</span>` : html`<span class="muted">${d.platform ?? '—'}</span>`}</td>
<td data-label="Endpoint" class="mono">${d.endpointUrl}</td>
<td data-label="Attempts" class="num">${d.attempts}</td>
<td data-label="Last attempt">${relative(d.lastAttemptAt, model.now)} ${badge(d.status)}${d.status === 'pending' ? html`<br><span class="note">next ${relative(d.nextAttemptAt, model.now)}</span>` : ''}</td>
<td data-label="Last error"><span class="mono">${d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '—')}</span></td>
${model.status === 'failed' ? html`<td data-label="Actions">${postForm(`/admin/events/deliveries/${d.id}/retry`, model.csrf, html`<button type="submit" aria-label="Retry delivery ${d.id}">Retry</button>`)}</td>` : ''}
</tr>`,
      )}</tbody></table></div>`
    : html`<p class="panel empty">No ${model.status} delivery.</p>`;

  const pager =
    model.nextHref || model.firstHref
      ? html`<nav class="pager" aria-label="Delivery pages">${model.firstHref ? html`<a href="${model.firstHref}">↑ Most recent</a>` : ''}${model.nextHref ? html`<a href="${model.nextHref}" rel="next">Older →</a>` : ''}</nav>`
      : '';

  return layout(
    { title: 'Health events', section: 'events', csrf: model.csrf },
    html`<h1>Health events</h1>${model.notice ? html`<div class="notice ok" role="status">${model.notice}</div>` : ''}
<p class="muted">Signed notifications of installation changes, refresh failures and dead letters, POSTed to the endpoints below (see docs/events.md).</p>
${summary}<h2>Endpoints</h2>${endpoints}<h2>Deliveries</h2>${tabs}${deliveries}${pager}`,
  );
}
