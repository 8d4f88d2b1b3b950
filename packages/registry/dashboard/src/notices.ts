// The page's error banner and its notice line.
import { byId, h, replace } from './dom.js';

// The banner shows a failure of a background refresh, which the next success clears; an error
// from something the user did stays until dismissed or replaced.
let fromBackground = false;

/**
 * Shows an error in the banner: a coded one (`ModmeshError`, from the registry client or the
 * page) with its code, message and hint; anything else is a bug, shown as it is.
 *
 * @example
 * showError(error, 'Moving auth@stable to 1.2.0');
 */
export function showError(error: unknown, doing?: string, { background = false } = {}): void {
  const { code, message, hint } = describe(error);
  replace(
    byId('error-banner'),
    h(
      'div',
      { class: 'error-body' },
      h('p', { class: 'error-title' }, h('span', { class: 'error-code' }, code), doing ? ` ${doing} failed` : ''),
      h('p', { class: 'error-message' }, message),
      hint ? h('p', { class: 'error-hint' }, hint) : null,
    ),
    h('button', { type: 'button', class: 'banner-close', 'aria-label': 'Dismiss', title: 'Dismiss', onclick: clearError }, '×'),
  ).hidden = false;
  fromBackground = background;
}

export function clearError(): void {
  const banner = byId('error-banner');
  banner.hidden = true;
  banner.replaceChildren();
  fromBackground = false;
}

/** A background refresh worked again: a banner about an earlier one failing is out of date. */
export function backgroundSucceeded(): void {
  if (fromBackground) clearError();
}

/** A standing notice above the remotes (null removes it). */
export function showNotice(text: string | null): void {
  const notice = byId('notice');
  notice.hidden = !text;
  notice.textContent = text ?? '';
}

// --- internal ---

function describe(error: unknown): { code: string; message: string; hint: string } {
  const { code, message, hint } = (error ?? {}) as { code?: unknown; message?: unknown; hint?: unknown };
  return {
    code: typeof code === 'string' ? code : 'ERROR',
    message: typeof message === 'string' ? message : String(error),
    hint: typeof hint === 'string' ? hint : '',
  };
}
