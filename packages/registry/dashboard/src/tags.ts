// A remote's tags, and for a signed-in user who may change them: move, roll back, create.
// Rows are kept and updated in place, so a refresh never loses a half-typed reason.
import { rollbackTarget, type TagMove, type TagState } from '@modmesh/api';
import type { DashboardContext, RemoteModel } from './context.js';
import { actor, emptyState, h, panel, plural, replace, tagBadge, timeAgo, versionText } from './dom.js';
import { createNewTagForm } from './new-tag.js';

export interface TagsPanel {
  element: HTMLElement;
  update(model: RemoteModel): void;
}

export function createTagsPanel(name: string, ctx: DashboardContext): TagsPanel {
  const rows = new Map<string, TagRow>();
  const list = h('div', { class: 'tag-list' });
  const empty = emptyState('No tags yet. Hosts can still load exact versions.');
  const creator = createNewTagForm(name, ctx);
  const element = panel(h('h3', {}, 'Tags'), list, empty, creator.element);

  return {
    element,
    update(model) {
      const current = new Set(model.tags.map((tag) => tag.tag));
      for (const [tag, row] of rows) {
        if (!current.has(tag)) {
          row.element.remove();
          rows.delete(tag);
        }
      }
      for (const tag of model.tags) {
        let row = rows.get(tag.tag);
        if (!row) {
          row = createTagRow(name, tag.tag, ctx);
          rows.set(tag.tag, row);
        }
        row.update(tag, model);
        list.append(row.element);
      }
      list.hidden = model.tags.length === 0;
      empty.hidden = model.tags.length > 0;
      creator.update(model);
    },
  };
}

/**
 * Where a rollback of `tag` goes (the registry's rule, `rollbackTarget` from @modmesh/api, over
 * the history the page has): null when nothing is left to undo, undefined when the history the
 * page has may be cut short before the answer.
 */
export function pageRollbackTarget(history: readonly TagMove[], tag: string, complete: boolean): string | null | undefined {
  const target = rollbackTarget(history.filter((move) => move.tag === tag));
  return target === null && !complete ? undefined : target;
}

// --- internal ---

interface TagRow {
  element: HTMLElement;
  update(state: TagState, model: RemoteModel): void;
}

type PendingChange = {
  /** The version the tag points at as the page shows it: the compare-and-swap's expectation. */
  expect: string;
  reason: string;
  sending?: boolean;
} & (
  | { kind: 'move'; to: string }
  /** `to` undefined: back to where the tag pointed before its last move, which the page does not know. */
  | { kind: 'rollback'; to: string | null | undefined }
);

function createTagRow(name: string, tag: string, ctx: DashboardContext): TagRow {
  const id = `${name}-${tag}`;
  let state: TagState | undefined;
  let model: RemoteModel | undefined;
  let pending: PendingChange | null = null;
  // The version the user picked; until then the select follows where the tag points.
  let picked: string | null = null;

  const version = versionText('', 'tag-version');
  version.setAttribute('data-testid', `tag-version-${id}`);
  const seq = h('span', { class: 'tag-seq', title: 'Moves so far: a host ignores any statement about this tag with a lower number' });
  const moved = h('span', { class: 'tag-moved' });
  const select = h('select', { 'data-testid': `move-version-${id}`, 'aria-label': `New version for ${tag}` });
  const reason = h('input', {
    type: 'text',
    'data-testid': `move-reason-${id}`,
    placeholder: 'Reason for the audit log',
    maxlength: 1000,
    'aria-label': 'Reason',
  });
  const move = h('button', { type: 'button', class: 'button primary', 'data-testid': `move-${id}`, onclick: askMove }, 'Move');
  const rollback = h('button', { type: 'button', class: 'button', 'data-testid': `rollback-${id}`, onclick: askRollback }, 'Roll back');
  const controls = h('div', { class: 'tag-controls' }, select, reason, move, rollback);
  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm' });
  const element = h(
    'div',
    { class: 'tag-row', 'data-testid': `tag-${id}` },
    h('span', { class: 'tag-name' }, tagBadge(tag)),
    h('span', { class: 'tag-arrow', 'aria-hidden': 'true' }, '→'),
    version,
    seq,
    moved,
    controls,
    confirmBox,
  );

  // The confirmation always shows exactly what would be sent: a changed choice closes it.
  select.addEventListener('change', () => {
    picked = select.value;
    if (pending && !pending.sending) closeConfirm();
    else syncButtons();
  });
  reason.addEventListener('input', () => pending && !pending.sending && closeConfirm());
  reason.addEventListener('keydown', (event) => event.key === 'Enter' && askMove());
  element.addEventListener('keydown', (event) => event.key === 'Escape' && pending && closeConfirm());

  function update(next: TagState, nextModel: RemoteModel): void {
    const movedNow = state !== undefined && state.version !== next.version;
    state = next;
    model = nextModel;
    version.textContent = next.version;
    seq.textContent = `#${next.seq}`;
    const last = nextModel.history.find((entry) => entry.tag === tag);
    replace(moved, 'moved ', timeAgo(next.updatedAt), last ? [' by ', actor(last.actor)] : null);
    fillVersions(next, nextModel);
    controls.hidden = !ctx.canWrite(name);
    if (controls.hidden) closeConfirm();
    if (movedNow) flash();
    if (pending && pending.expect !== next.version) showStale(next);
    syncButtons();
  }

  function fillVersions(current: TagState, shown: RemoteModel): void {
    const wanted = picked ?? current.version;
    const key = `${current.version}|${shown.versions.map((entry) => entry.version).join(',')}`;
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      replace(
        select,
        shown.versionsNewestFirst.map((entry) =>
          h('option', { value: entry.version }, entry.version === current.version ? `${entry.version} (current)` : entry.version),
        ),
      );
    }
    select.value = shown.versions.some((entry) => entry.version === wanted) ? wanted : current.version;
  }

  function syncButtons(): void {
    if (!state || !model) return;
    const busy = pending?.sending === true;
    move.disabled = busy || select.value === state.version;
    move.title = select.value === state.version ? `Pick the version to move ${tag} to` : `Move ${tag} to ${select.value}`;
    const target = pageRollbackTarget(model.history, tag, model.historyComplete);
    rollback.disabled = busy || target === null;
    rollback.title = target === null ? `${tag} has no earlier move to undo` : `Move ${tag} back to ${target ?? 'where it pointed before its last move'}`;
  }

  function askMove(): void {
    if (move.disabled || !state) return;
    openConfirm({ kind: 'move', to: select.value, expect: state.version, reason: reason.value.trim() });
  }

  function askRollback(): void {
    if (rollback.disabled || !state || !model) return;
    const to = pageRollbackTarget(model.history, tag, model.historyComplete);
    openConfirm({ kind: 'rollback', to, expect: state.version, reason: reason.value.trim() });
  }

  function openConfirm(request: PendingChange): void {
    pending = request;
    const running = (model?.consumers ?? []).filter((consumer) => consumer.version === request.expect).length;
    const verb = request.kind === 'move' ? 'Move' : 'Roll back';
    const confirm = h(
      'button',
      { type: 'button', class: `button ${request.kind === 'move' ? 'primary' : 'danger'}`, 'data-testid': `confirm-${request.kind}-${id}`, onclick: send },
      request.kind === 'move' ? `Move ${tag} to ${request.to}` : `Roll back ${tag}`,
    );
    replace(
      confirmBox,
      h(
        'div',
        { class: 'confirm-text' },
        h('strong', {}, `${verb} `, tagBadge(tag), ' from ', versionText(request.expect), ' to ', versionText(request.to ?? 'its previous version'), '?'),
        h(
          'p',
          { class: 'muted' },
          `Hosts following ${name}@${tag} switch within seconds. `,
          running > 0 ? `${plural(running, 'consumer')} ${running === 1 ? 'runs' : 'run'} ${request.expect} now. ` : '',
          request.reason ? ['Reason: “', request.reason, '”'] : 'No reason given.',
        ),
        h('p', { class: 'confirm-stale', hidden: true }),
      ),
      h('div', { class: 'confirm-actions' }, confirm, h('button', { type: 'button', class: 'button', onclick: closeConfirm }, 'Cancel')),
    );
    confirmBox.hidden = false;
    element.classList.add('confirming');
    syncButtons();
    confirm.focus();
  }

  function showStale(current: TagState): void {
    const note = confirmBox.querySelector<HTMLElement>('.confirm-stale');
    if (!note) return;
    note.hidden = false;
    note.textContent = `${tag} has moved to ${current.version} since: confirming will be refused. Cancel and look again.`;
  }

  function closeConfirm(): void {
    pending = null;
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
    element.classList.remove('confirming');
    syncButtons();
  }

  async function send(): Promise<void> {
    if (!pending || pending.sending) return;
    const request = pending;
    request.sending = true;
    for (const button of confirmBox.querySelectorAll('button')) button.disabled = true;
    syncButtons();
    try {
      // The version the page shows goes as `expect`: a tag moved by someone else meanwhile is
      // refused (MODMESH_TAG_CONFLICT), never overwritten.
      if (request.kind === 'move') {
        await ctx.client().moveTag(name, tag, { version: request.to, expect: request.expect, reason: request.reason });
      } else {
        await ctx.client().rollback(name, tag, { expect: request.expect, ...(request.reason && { reason: request.reason }) });
      }
      ctx.clearError();
      reason.value = '';
      picked = null;
    } catch (error) {
      ctx.showError(error, request.kind === 'move' ? `Moving ${name}@${tag} to ${request.to}` : `Rolling back ${name}@${tag}`);
    } finally {
      closeConfirm();
      // After a refusal too: a 409 means the page shows an old state of the tag.
      await ctx.refresh(name);
    }
  }

  function flash(): void {
    element.classList.remove('flash');
    void element.offsetWidth;
    element.classList.add('flash');
  }

  return { element, update };
}
