// The form that creates a tag of a remote, for a signed-in user who may.
import { ModmeshError } from '@modmesh/manifest/errors';
import type { DashboardContext, RemoteModel } from './context.js';
import { h, replace } from './dom.js';

export interface NewTagForm {
  element: HTMLElement;
  update(model: RemoteModel): void;
}

export function createNewTagForm(name: string, ctx: DashboardContext): NewTagForm {
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
  let model: RemoteModel | undefined;

  input.addEventListener('keydown', (event) => event.key === 'Enter' && submit());

  async function submit(): Promise<void> {
    const tag = input.value.trim();
    // Whether a name is a valid tag is the registry's rule: it answers MODMESH_INVALID_TAG.
    if (!tag) {
      ctx.showError(new ModmeshError('MODMESH_INVALID_TAG', 'type a name for the new tag first', { remote: name }), `Creating a tag of ${name}`);
      input.focus();
      return;
    }
    if (model?.tags.some((entry) => entry.tag === tag)) {
      ctx.showError(
        new ModmeshError('MODMESH_TAG_CONFLICT', `${name} already has a tag ${tag}`, { remote: name, hint: 'Move an existing tag with its Move control.' }),
        `Creating ${name}@${tag}`,
      );
      return;
    }
    create.disabled = true;
    try {
      await ctx.client().moveTag(name, tag, { version: select.value, expect: null, reason: `created at ${select.value}` });
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
