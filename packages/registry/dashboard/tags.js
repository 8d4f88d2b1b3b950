// A remote's tags, and for a signed-in user who may change them: move, roll back, create.
// Rows are kept and updated in place, so a refresh never loses a half-typed reason.
import { path } from './api.js';
import { actor, emptyState, h, panel, plural, replace, tagBadge, timeAgo, versionText } from './dom.js';

// The registry's own rule for tag names (packages/manifest/src/schema.ts TAG_NAME).
const TAG_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * @param name the remote
 * @param ctx {api, canWrite(name), showError(error, doing), clearError(), refresh(name)}
 */
export function createTagsPanel(name, ctx) {
  const rows = new Map();
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
 * Where a rollback of `tag` goes: back over its newest move not yet rolled back (the registry's
 * `rollbackTarget`, over the history the page has). Undefined when the history may be cut short.
 */
export function rollbackTarget(history, tag, complete) {
  let undone = 0;
  for (const move of history) {
    if (move.tag !== tag) continue;
    if (move.kind === 'rollback') {
      undone += 1;
    } else if (undone > 0) {
      undone -= 1;
    } else {
      return move.from;
    }
  }
  return complete ? null : undefined;
}

// --- internal ---

function createTagRow(name, tag, ctx) {
  const id = `${name}-${tag}`;
  let state;
  let model;
  let pending = null;
  // The version the user picked; until then the select follows where the tag points.
  let picked = null;

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

  function update(next, nextModel) {
    const movedNow = state && state.version !== next.version;
    state = next;
    model = nextModel;
    version.textContent = next.version;
    seq.textContent = `#${next.seq}`;
    const last = model.history.find((entry) => entry.tag === tag);
    replace(moved, 'moved ', timeAgo(next.updatedAt), last ? [' by ', actor(last.actor)] : null);
    fillVersions();
    controls.hidden = !ctx.canWrite(name);
    if (controls.hidden) closeConfirm();
    if (movedNow) flash();
    if (pending && pending.expect !== next.version) showStale();
    syncButtons();
  }

  function fillVersions() {
    const wanted = picked ?? state.version;
    const key = `${state.version}|${model.versions.map((entry) => entry.version).join(',')}`;
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      replace(
        select,
        model.versionsNewestFirst.map((entry) =>
          h('option', { value: entry.version }, entry.version === state.version ? `${entry.version} (current)` : entry.version),
        ),
      );
    }
    select.value = model.versions.some((entry) => entry.version === wanted) ? wanted : state.version;
  }

  function syncButtons() {
    const busy = pending?.sending === true;
    move.disabled = busy || select.value === state.version;
    move.title = select.value === state.version ? `Pick the version to move ${tag} to` : `Move ${tag} to ${select.value}`;
    const target = rollbackTarget(model.history, tag, model.historyComplete);
    rollback.disabled = busy || target === null;
    rollback.title = target === null ? `${tag} has no earlier move to undo` : `Move ${tag} back to ${target ?? 'where it pointed before its last move'}`;
  }

  function askMove() {
    if (move.disabled) return;
    const to = select.value;
    openConfirm({ kind: 'move', to, expect: state.version, reason: reason.value.trim() });
  }

  function askRollback() {
    if (rollback.disabled) return;
    const to = rollbackTarget(model.history, tag, model.historyComplete);
    openConfirm({ kind: 'rollback', to, expect: state.version, reason: reason.value.trim() });
  }

  function openConfirm(request) {
    pending = request;
    const running = model.consumers.filter((consumer) => consumer.version === request.expect).length;
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

  function showStale() {
    const note = confirmBox.querySelector('.confirm-stale');
    if (!note) return;
    note.hidden = false;
    note.textContent = `${tag} has moved to ${state.version} since: confirming will be refused. Cancel and look again.`;
  }

  function closeConfirm() {
    pending = null;
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
    element.classList.remove('confirming');
    if (state) syncButtons();
  }

  async function send() {
    if (!pending || pending.sending) return;
    const request = pending;
    request.sending = true;
    for (const button of confirmBox.querySelectorAll('button')) button.disabled = true;
    syncButtons();
    const url = path('v1', 'remotes', name, 'tags', tag);
    try {
      if (request.kind === 'move') {
        await ctx.api.send('PUT', url, { version: request.to, expect: request.expect, reason: request.reason });
      } else {
        await ctx.api.send('POST', `${url}/rollback`, { expect: request.expect, ...(request.reason && { reason: request.reason }) });
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

  function flash() {
    element.classList.remove('flash');
    void element.offsetWidth;
    element.classList.add('flash');
  }

  return { element, update };
}

function createNewTagForm(name, ctx) {
  const input = h('input', {
    type: 'text',
    'data-testid': `new-tag-name-${name}`,
    placeholder: 'new tag, e.g. canary',
    maxlength: 64,
    'aria-label': 'New tag name',
  });
  const select = h('select', { 'data-testid': `new-tag-version-${name}`, 'aria-label': 'Version for the new tag' });
  const create = h('button', { type: 'button', class: 'button', 'data-testid': `new-tag-${name}`, onclick: submit }, 'Create tag');
  const element = h('div', { class: 'new-tag' }, h('span', { class: 'muted' }, 'New tag'), input, h('span', { class: 'muted' }, 'at'), select, create);
  let model;

  input.addEventListener('keydown', (event) => event.key === 'Enter' && submit());

  async function submit() {
    const tag = input.value.trim();
    if (!TAG_NAME.test(tag) || model.tags.some((entry) => entry.tag === tag)) {
      ctx.showError({
        code: 'MODMESH_INVALID_TAG',
        message: model.tags.some((entry) => entry.tag === tag) ? `${name} already has a tag ${tag}` : `"${tag}" is not a valid tag name`,
        hint: 'A tag is lowercase letters, digits and dashes, starting with a letter; move an existing tag with its Move control.',
      });
      return;
    }
    create.disabled = true;
    try {
      await ctx.api.send('PUT', path('v1', 'remotes', name, 'tags', tag), { version: select.value, expect: null, reason: `created at ${select.value}` });
      ctx.clearError();
      input.value = '';
    } catch (error) {
      ctx.showError(error, `Creating ${name}@${tag}`);
    } finally {
      create.disabled = false;
      await ctx.refresh(name);
    }
  }

  return {
    element,
    update(next) {
      model = next;
      element.hidden = !ctx.canWrite(name) || next.versions.length === 0;
      const key = next.versions.map((entry) => entry.version).join(',');
      if (select.dataset.key !== key) {
        select.dataset.key = key;
        replace(
          select,
          next.versionsNewestFirst.map((entry) => h('option', { value: entry.version }, entry.version)),
        );
      }
    },
  };
}
