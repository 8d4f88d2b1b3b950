// One remote's card: its tags, releases, the selected release, consumers and audit log.
import type { PublisherKeyInfo, SignedReleaseRecord, TagMove, TagState, VersionEntry } from '@modmesh/api';
import type { ConsumerRow, DashboardContext, RemoteModel } from './context.js';
import { actor, badge, emptyState, h, panel, plural, replace, shortId, tableHead, tagBadge, timeAgo, versionText } from './dom.js';
import { releaseView } from './release.js';
import { createTagsPanel } from './tags.js';

// Audit entries shown before "Show all".
const AUDIT_PREVIEW = 12;

export interface RemoteData {
  versions: VersionEntry[];
  tags: TagState[];
  keys: PublisherKeyInfo[];
  history: TagMove[];
  historyComplete: boolean;
}

export interface RemoteView {
  element: HTMLElement;
  setData(data: RemoteData): void;
  setConsumers(consumers: ConsumerRow[]): void;
  rerender(): void;
  /** The version to name the remote by in an index: where `stable` points, else the newest. */
  headline(): string | null;
}

export function createRemoteView(name: string, ctx: DashboardContext): RemoteView {
  const model: RemoteModel = {
    name,
    versions: [],
    versionsNewestFirst: [],
    tags: [],
    keys: [],
    history: [],
    historyComplete: true,
    consumers: [],
    loaded: false,
  };
  // Releases are immutable: each is fetched once.
  const releases = new Map<string, SignedReleaseRecord | Promise<SignedReleaseRecord>>();
  let selected: string | null = null;
  let auditExpanded = false;

  const summary = h('p', { class: 'remote-summary' });
  const tagsPanel = createTagsPanel(name, ctx);
  const releaseList = h('div', { class: 'table-wrap' });
  const releaseDetail = h('div', { class: 'release-detail' });
  const consumerList = h('div', { class: 'table-wrap', 'data-testid': `consumers-${name}` });
  const consumerCount = h('span', { class: 'panel-count' });
  const auditList = h('div', { class: 'table-wrap', 'data-testid': `audit-${name}` });
  const auditCount = h('span', { class: 'panel-count' });
  // A remote with a publisher key and nothing published yet: one line, not four empty panels.
  const unpublished = emptyState('Nothing published yet: a publisher key is registered for this remote. Releases appear here as they are published.');
  const body = h(
    'div',
    { class: 'remote-body' },
    tagsPanel.element,
    h('div', { class: 'remote-grid' }, panel(h('h3', {}, 'Releases'), releaseList), h('section', { class: 'panel' }, releaseDetail)),
    panel([h('h3', {}, 'Consumers'), consumerCount, h('span', { class: 'panel-note' }, 'reported by running hosts, refreshed every 5 s')], consumerList),
    panel([h('h3', {}, 'Audit log'), auditCount], auditList),
  );

  const element = h(
    'section',
    { class: 'remote', id: `remote-${name}`, 'data-testid': `remote-${name}` },
    h('header', { class: 'remote-header' }, h('h2', { class: 'remote-name' }, name), summary),
    unpublished,
    body,
  );

  function setData({ versions, tags, keys, history, historyComplete }: RemoteData): void {
    model.versions = versions;
    model.versionsNewestFirst = [...versions].reverse();
    model.tags = tags;
    model.keys = keys;
    model.history = history;
    model.historyComplete = historyComplete;
    model.loaded = true;
    rerender();
  }

  function setConsumers(consumers: ConsumerRow[]): void {
    model.consumers = consumers;
    if (!model.loaded) return;
    renderSummary();
    renderReleases();
    renderConsumers();
  }

  function rerender(): void {
    if (!model.loaded) return;
    unpublished.hidden = model.versions.length > 0;
    body.hidden = model.versions.length === 0;
    renderSummary();
    tagsPanel.update(model);
    renderReleases();
    void renderDetail();
    renderConsumers();
    renderAudit();
  }

  function selectedVersion(): string | null {
    if (selected && model.versions.some((entry) => entry.version === selected)) return selected;
    return headline();
  }

  function tagsAt(version: string): string[] {
    return model.tags.filter((tag) => tag.version === version).map((tag) => tag.tag);
  }

  function renderSummary(): void {
    const latest = model.versionsNewestFirst[0];
    replace(
      summary,
      plural(model.versions.length, 'release'),
      latest ? [' · latest ', versionText(latest.version), ' published ', timeAgo(latest.publishedAt)] : '',
      ' · ',
      plural(model.consumers.length, 'consumer'),
      ' · ',
      plural(model.keys.length, 'publisher key'),
    );
  }

  function renderReleases(): void {
    if (model.versions.length === 0) {
      replace(releaseList, emptyState('No releases yet.'));
      return;
    }
    const current = selectedVersion();
    const running = countBy(model.consumers, (consumer) => consumer.version);
    const rows = model.versionsNewestFirst.map((entry) => {
      const count = running.get(entry.version) ?? 0;
      const pick = (): void => {
        selected = entry.version;
        renderReleases();
        void renderDetail();
      };
      return h(
        'tr',
        { class: entry.version === current ? 'selected' : '', 'data-testid': `release-${name}-${entry.version}`, onclick: pick },
        h('td', {}, h('button', { type: 'button', class: 'link version', 'aria-pressed': String(entry.version === current) }, entry.version)),
        h('td', {}, h('span', { class: 'badges' }, tagsAt(entry.version).map(tagBadge))),
        h('td', {}, timeAgo(entry.publishedAt)),
        h(
          'td',
          { class: 'num' },
          count > 0
            ? badge(String(count), 'blue', `${plural(count, 'consumer')} ${count === 1 ? 'runs' : 'run'} ${entry.version}`)
            : h('span', { class: 'muted' }, '0'),
        ),
      );
    });
    replace(releaseList, h('table', {}, tableHead(['Version', 'Tags', 'Published', ['Consumers', 'num']]), h('tbody', {}, rows)));
  }

  async function renderDetail(): Promise<void> {
    const version = selectedVersion();
    if (!version) {
      replace(releaseDetail, h('header', { class: 'panel-header' }, h('h3', {}, 'Release')), emptyState('Nothing published yet.'));
      return;
    }
    const known = releases.get(version);
    if (known && !(known instanceof Promise)) {
      replace(releaseDetail, ...releaseView(known, tagsAt(version)));
      return;
    }
    replace(releaseDetail, h('header', { class: 'panel-header' }, h('h3', {}, 'Release ', versionText(version))), h('p', { class: 'loading' }, 'Loading…'));
    // Already on its way: the request under way renders it.
    if (known) return;
    const loading = ctx.client().release(name, version);
    releases.set(version, loading);
    try {
      releases.set(version, await loading);
    } catch (error) {
      releases.delete(version);
      if (selectedVersion() === version)
        replace(
          releaseDetail,
          h('header', { class: 'panel-header' }, h('h3', {}, 'Release ', versionText(version))),
          emptyState('Could not load this release.'),
        );
      ctx.showError(error, `Loading ${name}@${version}`);
      return;
    }
    // Another version may have been picked meanwhile.
    if (selectedVersion() === version) void renderDetail();
  }

  function renderConsumers(): void {
    if (model.consumers.length === 0) {
      replace(consumerCount, '');
      replace(consumerList, emptyState('No consumers reported in the last minute.'));
      return;
    }
    replace(consumerCount, String(model.consumers.length));
    // Grouped by the release they run, newest release first; unknown versions last.
    const order = new Map(model.versionsNewestFirst.map((entry, index) => [entry.version, index]));
    const groups = [...groupBy(model.consumers, (consumer) => consumer.version)].sort(
      ([a], [b]) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) || a.localeCompare(b),
    );
    const rows = groups.flatMap(([version, consumers]) => [
      h(
        'tr',
        { class: 'group' },
        h(
          'th',
          { colspan: 6, scope: 'rowgroup' },
          versionText(version),
          ' ',
          tagsAt(version).map(tagBadge),
          h('span', { class: 'muted' }, ` ${plural(consumers.length, 'consumer')}`),
        ),
      ),
      ...consumers
        .sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId))
        .map((consumer) =>
          h(
            'tr',
            { 'data-testid': 'consumer' },
            h('td', {}, shortId(consumer.instanceId)),
            h('td', { class: 'strong' }, consumer.service),
            h('td', {}, consumer.kind === 'browser' ? badge('browser', 'purple') : badge('node host', 'green')),
            h('td', {}, versionText(consumer.version)),
            h('td', {}, timeAgo(consumer.since)),
            h('td', {}, timeAgo(consumer.lastSeen)),
          ),
        ),
    ]);
    replace(consumerList, h('table', {}, tableHead(['Instance', 'Service', 'Kind', 'Version', 'Running since', 'Last seen']), h('tbody', {}, rows)));
  }

  function renderAudit(): void {
    const entries = model.history;
    replace(auditCount, entries.length ? `${entries.length}${model.historyComplete ? '' : '+'}` : '');
    if (entries.length === 0) {
      replace(auditList, emptyState('No tag has moved yet.'));
      return;
    }
    const shown = auditExpanded ? entries : entries.slice(0, AUDIT_PREVIEW);
    const rows = shown.map((entry) =>
      h(
        'tr',
        { 'data-testid': 'audit-entry' },
        h('td', {}, timeAgo(entry.at)),
        h('td', {}, entry.kind === 'rollback' ? badge('rollback', 'orange') : badge('move', 'blue')),
        h('td', {}, tagBadge(entry.tag)),
        h(
          'td',
          { class: 'change' },
          entry.from ? versionText(entry.from) : h('span', { class: 'muted' }, 'created'),
          h('span', { class: 'arrow' }, ' → '),
          versionText(entry.to),
        ),
        h('td', {}, actor(entry.actor)),
        h('td', { class: 'reason' }, entry.reason || h('span', { class: 'muted' }, '—')),
      ),
    );
    const toggle = (): void => {
      auditExpanded = !auditExpanded;
      renderAudit();
    };
    const more =
      entries.length > AUDIT_PREVIEW
        ? h('button', { type: 'button', class: 'button subtle show-more', onclick: toggle }, auditExpanded ? 'Show fewer' : `Show all ${entries.length}`)
        : null;
    replace(auditList, h('table', {}, tableHead(['When', 'Kind', 'Tag', 'From → to', 'Actor', 'Reason']), h('tbody', {}, rows)), more);
  }

  function headline(): string | null {
    return model.tags.find((tag) => tag.tag === 'stable')?.version ?? model.versionsNewestFirst[0]?.version ?? null;
  }

  return { element, setData, setConsumers, rerender, headline };
}

// --- internal ---

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}
