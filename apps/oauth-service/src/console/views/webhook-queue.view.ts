import type { DeadLetter, QueueStats, TaskPreview } from '@bot/webhooks';
import { badge, count, duration, query, relative, time } from './format';
import { html, HtmlValue } from './html';
import { layout, postForm } from './layout.view';

export interface WebhookQueueModel {
  now: Date;
  csrf: string;
  queues: readonly string[];
  stats: QueueStats;
  filter: { queue?: string; event_type?: string };
  dead: DeadLetter[];
  nextHref: string | null;
  firstHref: string | null;
  notice?: string;
}

/** Queue counts, oldest pending age, and the dead letters with requeue. */
export function webhookQueuePage(model: WebhookQueueModel): string {
  const byQueue = new Map(model.stats.queues.map((row) => [row.queue, row]));
  const queues = [...new Set([...model.queues, ...byQueue.keys()])];
  const filtered = Boolean(model.filter.queue || model.filter.event_type);
  const option = (value: string, text = value) => html`<option value="${value}"${value === (model.filter.queue ?? '') ? html` selected` : ''}>${text}</option>`;

  const stats = html`<div class="table-wrap"><table class="cards"><caption>Tasks per queue</caption>
<thead><tr><th scope="col">Queue</th><th scope="col" class="num">Pending</th><th scope="col" class="num">Processing</th><th scope="col" class="num">Dead</th><th scope="col">Oldest pending</th></tr></thead>
<tbody>${queues.map((queue) => {
    const row = byQueue.get(queue);
    return html`<tr><th scope="row">${queue}</th><td class="num" data-label="Pending">${count(row?.pending ?? 0)}</td><td class="num" data-label="Processing">${count(row?.processing ?? 0)}</td>
<td class="num" data-label="Dead">${row?.dead ? html`<a href="/admin/webhooks${query({ queue })}#dead-letters">${count(row.dead)}</a>` : '0'}</td>
<td data-label="Oldest pending">${row?.oldestPendingAt ? html`received ${duration(model.now.getTime() - row.oldestPendingAt.getTime())} ago` : html`<span class="muted">none waiting</span>`}</td></tr>`;
  })}</tbody></table></div>
${model.stats.estimatedTotal !== null ? html`<p class="note">About ${count(model.stats.estimatedTotal)} tasks are stored in all, finished ones included (an estimate from table statistics).</p>` : ''}`;

  const filters = html`<form class="filters panel" method="get" action="/admin/webhooks" aria-label="Filter dead letters">
  <div class="field"><label for="queue">Queue</label><select id="queue" name="queue">${option('', 'All queues')}${queues.map((queue) => option(queue))}</select></div>
  <div class="field"><label for="event_type">Event type</label><input type="text" id="event_type" name="event_type" value="${model.filter.event_type ?? ''}" maxlength="128" placeholder="e.g. issues"></div>
  <div class="actions"><button type="submit" class="primary">Apply</button>${filtered ? html`<a href="/admin/webhooks#dead-letters">Clear filters</a>` : ''}</div>
</form>`;

  const dead = model.dead.length
    ? html`<div class="table-wrap"><table class="cards"><caption class="visually-hidden">Dead letters, most recent first</caption>
<thead><tr><th scope="col">Task</th><th scope="col">Queue</th><th scope="col">Event</th><th scope="col">Installation</th><th scope="col">Dead since</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${model.dead.map(
        (task) => html`<tr>
<td data-label="Task"><a href="/admin/webhooks/tasks/${task.id}">#${task.id}</a></td>
<td data-label="Queue">${task.queue}</td>
<td data-label="Event"><code>${task.eventType}${task.action ? `.${task.action}` : ''}</code></td>
<td data-label="Installation">${task.installationId ? html`<a href="/admin/installations/${task.installationId}">${task.orgName ?? task.externalOrgId ?? task.installationId}</a>` : html`<span class="muted">none matched</span>`}</td>
<td data-label="Dead since">${relative(task.deadAt, model.now)}</td>
<td data-label="Attempts" class="num">${task.attempts} / ${task.maxAttempts}</td>
<td data-label="Last error"><span class="mono">${task.lastError ?? '—'}</span></td>
<td data-label="Actions">${postForm(`/admin/webhooks/tasks/${task.id}/requeue`, model.csrf, html`<button type="submit" aria-label="Requeue task ${task.id}">Requeue</button>`)}</td>
</tr>`,
      )}</tbody></table></div>
<div class="actions"><a class="button" href="/admin/webhooks/requeue${query(model.filter)}">Requeue all dead letters${filtered ? ' matching these filters' : ''}…</a></div>`
    : html`<p class="panel empty">No dead letter${filtered ? ' matches these filters' : ''}.</p>`;

  const pager =
    model.nextHref || model.firstHref
      ? html`<nav class="pager" aria-label="Dead letter pages">${model.firstHref ? html`<a href="${model.firstHref}">↑ Most recent</a>` : ''}${model.nextHref ? html`<a href="${model.nextHref}" rel="next">Older →</a>` : ''}</nav>`
      : '';

  return layout(
    { title: 'Webhook queue', section: 'webhooks', csrf: model.csrf },
    html`<h1>Webhook queue</h1>${model.notice ? html`<div class="notice ok" role="status">${model.notice}</div>` : ''}${stats}<h2 id="dead-letters">Dead letters</h2>${filters}${dead}${pager}`,
  );
}

/** Confirm step of "requeue all of a filter". */
export function requeueConfirmPage(model: { csrf: string; filter: { queue?: string; event_type?: string }; matching: number }): string {
  const what = [model.filter.queue && `queue ${model.filter.queue}`, model.filter.event_type && `event type ${model.filter.event_type}`].filter(Boolean).join(', ');
  return layout(
    { title: 'Requeue dead letters', section: 'webhooks', csrf: model.csrf },
    html`<p><a href="/admin/webhooks${query(model.filter)}#dead-letters">← Back to the queue</a></p><h1>Requeue ${count(model.matching)} dead letter${model.matching === 1 ? '' : 's'}?</h1>
<div class="panel"><p>Every dead task${what ? html` of ${what}` : ''} goes back to pending with a fresh set of attempts, and consumers pick it up again. Tasks requeued already are not touched again.</p>
<div class="actions">${postForm('/admin/webhooks/requeue', model.csrf, html`<button type="submit" class="primary"${model.matching === 0 ? html` disabled` : ''}>Requeue ${count(model.matching)}</button>`, model.filter)}
<a href="/admin/webhooks${query(model.filter)}#dead-letters">Cancel</a></div></div>`,
  );
}

/** One task: its fields, attempts, last error and the start of its payload. */
export function webhookTaskPage(model: { now: Date; csrf: string; preview: TaskPreview; payload: { text: string; pretty: boolean; truncated: boolean; maxChars: number }; notice?: string }): string {
  const t = model.preview.task;
  const field = (name: string, value: HtmlValue) => html`<dt>${name}</dt><dd>${value === null || value === undefined || value === '' ? html`<span class="muted">—</span>` : value}</dd>`;
  return layout(
    { title: `Task #${t.id}`, section: 'webhooks', csrf: model.csrf },
    html`<p><a href="/admin/webhooks${query({ queue: t.queue })}#dead-letters">← Webhook queue</a></p>
<h1>Task #${t.id} <span class="muted">· ${t.queue}</span></h1>
${model.notice ? html`<div class="notice ok" role="status">${model.notice}</div>` : ''}
<p>${badge(t.status)}</p>
${t.status === 'dead' ? html`<div class="actions">${postForm(`/admin/webhooks/tasks/${t.id}/requeue`, model.csrf, html`<button type="submit" class="primary">Requeue this task</button>`)}</div>` : ''}
<section class="panel" aria-labelledby="task-fields"><h2 id="task-fields">Details</h2><dl class="fields">
${field('Event', html`<code>${t.eventType}${t.action ? `.${t.action}` : ''}</code>`)}
${field('Delivery id', html`<span class="mono">${t.deliveryId}</span>`)}
${field('Installation', t.installationId ? html`<a href="/admin/installations/${t.installationId}">${t.installationId}</a>` : null)}
${field('Organisation id', t.externalOrgId)}
${field('Platform installation id', t.externalInstallId)}
${field('Received', time(t.receivedAt))}
${field('Attempts', `${t.attempts} of ${t.maxAttempts}`)}
${field(t.status === 'pending' ? 'Next attempt' : 'Run after', relative(t.runAfter, model.now))}
${field('Claimed by', t.lockedBy ? html`<span class="mono">${t.lockedBy}</span>${t.lockedUntil ? html` until ${time(t.lockedUntil)}` : ''}` : null)}
${field('Last error', t.lastError ? html`<pre class="wrap">${t.lastError}</pre>` : null)}
</dl></section>
<section aria-labelledby="payload-heading"><h2 id="payload-heading">Payload</h2>
<p class="note">${count(model.preview.payloadLength)} characters of JSON${model.payload.truncated ? html`; the first ${count(model.payload.maxChars)} are shown${model.payload.pretty ? '' : ', as stored'}` : ''}.</p>
<pre tabindex="0" aria-label="Payload">${model.payload.text}</pre></section>`,
  );
}
