import { html } from './html';
import { layout } from './layout.view';

/** The sign-in form; `error` is one of our own fixed messages. */
export function loginPage(model: { csrf: string; next: string; error?: string; notice?: string }): string {
  return layout(
    { title: 'Sign in' },
    html`<div class="login panel">
  <h1>Sign in</h1>
  <p class="muted">Sign in with the admin API key of this deployment (<code>ADMIN_API_KEY</code>).</p>
  ${model.notice ? html`<div class="notice ok" role="status">${model.notice}</div>` : ''}
  ${model.error ? html`<div class="notice error" role="alert" id="login-error">${model.error}</div>` : ''}
  <form method="post" action="/admin/login">
    <input type="hidden" name="_csrf" value="${model.csrf}">
    <input type="hidden" name="next" value="${model.next}">
    <label for="key">Admin API key</label>
    <input type="password" id="key" name="key" autocomplete="current-password" required autofocus${model.error ? html` aria-invalid="true" aria-describedby="login-error"` : ''}>
    <button type="submit" class="primary">Sign in</button>
  </form>
</div>`,
  );
}
