// The page's error banner and its notice line.
import { h, replace } from './dom.js';

// The banner shows a failure of a background refresh, which the next success clears; an error
// from something the user did stays until dismissed or replaced.
let fromBackground = false;

/**
 * Shows a registry error `{code, message, hint}` (or any error) in the banner.
 *
 * @example
 * showError(error, 'Moving auth@stable to 1.2.0');
 */
export function showError(error, doing, { background = false } = {}) {
  const banner = document.getElementById('error-banner');
  replace(
    banner,
    h(
      'div',
      { class: 'error-body' },
      h('p', { class: 'error-title' }, h('span', { class: 'error-code' }, error?.code ?? 'ERROR'), doing ? ` ${doing} failed` : ''),
      h('p', { class: 'error-message' }, error?.message ?? String(error)),
      error?.hint ? h('p', { class: 'error-hint' }, error.hint) : null,
    ),
    h('button', { type: 'button', class: 'banner-close', 'aria-label': 'Dismiss', title: 'Dismiss', onclick: clearError }, '×'),
  );
  banner.hidden = false;
  fromBackground = background;
}

export function clearError() {
  const banner = document.getElementById('error-banner');
  banner.hidden = true;
  banner.replaceChildren();
  fromBackground = false;
}

/** A background refresh worked again: a banner about an earlier one failing is out of date. */
export function backgroundSucceeded() {
  if (fromBackground) clearError();
}

/** A standing notice above the remotes (null removes it). */
export function showNotice(text) {
  const notice = document.getElementById('notice');
  notice.hidden = !text;
  notice.textContent = text ?? '';
}
