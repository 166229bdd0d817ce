import type { Scenario } from '../differential.js';
import { hrefOf } from './repositories.js';

const UPSTREAM = 'http://127.0.0.1:1/upstream/';

export const LISTS: Scenario[] = [
  {
    name: 'list-filters',
    covers:
      'filters of every kind (exact, lookups, __in, choices, numbers, dates, booleans, relations), unknown filters, ordering, fields/exclude_fields, pagination, pulp_label_select forms',
    run: async (s) => {
      const prefix = s.name('');
      const labels: Record<string, string>[] = [{ env: 'dev', tier: 'web' }, { env: 'prod', tier: 'Web' }, { env: 'prod' }, {}];
      for (const [i, pulp_labels] of labels.entries()) {
        await s.request('POST', 'remotes/file/file/', {
          body: { name: s.name(`r${i}`), url: `${UPSTREAM}${i}/`, pulp_labels, policy: i % 2 ? 'on_demand' : 'immediate' },
        });
      }
      const list = (query: Record<string, string | string[]>, label: string) =>
        s.request('GET', 'remotes/file/file/', { query: { name__startswith: prefix, ...query }, label: `GET file remotes ${label}` });
      await list({}, 'by prefix');
      await list({ ordering: '-name' }, 'ordering -name');
      await list({ ordering: 'pulp_labels' }, 'ordering pulp_labels');
      await list({ ordering: 'name,-pulp_created' }, 'ordering two terms');
      await list({ ordering: 'nope' }, 'ordering unknown');
      await list({ limit: '2', ordering: 'name' }, 'limit 2');
      await list({ limit: '2', offset: '2', ordering: 'name' }, 'limit 2 offset 2');
      await list({ limit: '0' }, 'limit 0');
      await list({ offset: '99' }, 'offset past the end');
      await list({ fields: 'name,url', ordering: 'name' }, 'fields');
      await list({ fields: ['name', 'pulp_labels'], ordering: 'name' }, 'fields repeated');
      await list({ exclude_fields: 'hidden_fields,pulp_created,pulp_last_updated', ordering: 'name' }, 'exclude_fields');
      await list({ fields: 'nope' }, 'fields unknown');
      await list({ name: s.name('r1') }, 'name');
      await list({ name__in: `${s.name('r0')},${s.name('r2')}`, ordering: 'name' }, 'name__in');
      await list({ name__contains: 'r1' }, 'name__contains');
      await list({ name__icontains: 'R1' }, 'name__icontains');
      await list({ name__iexact: s.name('R1').toUpperCase() }, 'name__iexact');
      await list({ name__regex: 'r[12]$', ordering: 'name' }, 'name__regex');
      await list({ name__ne: s.name('r1'), ordering: 'name' }, 'name__ne');
      await list({ policy: 'on_demand' }, 'policy (no such filter)');
      await list({ bogus: 'x' }, 'unknown filter');
      await list({ bogus: 'x', other: 'y' }, 'two unknown filters');
      await list({ pulp_created__gte: '2000-01-01T00:00:00Z', ordering: 'name' }, 'pulp_created__gte');
      await list({ pulp_created__gte: 'yesterday' }, 'pulp_created__gte bad');
      await list({ pulp_last_updated__lt: '2000-01-01' }, 'pulp_last_updated__lt date only');
      await list({ pulp_created__range: '2000-01-01T00:00:00Z,2999-01-01T00:00:00Z' }, 'pulp_created__range');
      await list({ pulp_created__range: 'x,y' }, 'pulp_created__range bad');
      await list({ pulp_label_select: 'env=prod', ordering: 'name' }, 'label env=prod');
      await list({ pulp_label_select: 'env!=prod', ordering: 'name' }, 'label env!=prod');
      await list({ pulp_label_select: 'tier~web', ordering: 'name' }, 'label tier~web');
      await list({ pulp_label_select: 'tier', ordering: 'name' }, 'label tier');
      await list({ pulp_label_select: '!tier', ordering: 'name' }, 'label !tier');
      await list({ pulp_label_select: 'env=prod,tier', ordering: 'name' }, 'label env=prod,tier');
      await list({ pulp_label_select: '!env=x' }, 'label !env=x');
      await list({ pulp_label_select: '' }, 'label empty');
      await list({ pulp_label_select: 'a-b=c' }, 'label hyphen key');
      await list({ pulp_label_select: '=x' }, 'label no key');
      await list({ pulp_label_select: 'env=prod=x' }, 'label value with =');
      await list({ pulp_href__in: 'nope' }, 'pulp_href__in bad');
      await list({ q: 'name="x"' }, 'q');
      await s.request('GET', 'remotes/', {
        query: { name__startswith: prefix, ordering: 'name', fields: 'name,pulp_href' },
        label: 'GET remotes of every type',
      });
      await s.request('GET', 'remotes/', { query: { pulp_type: 'file.file', name__startswith: prefix }, label: 'GET remotes pulp_type' });
      await s.request('GET', 'remotes/', { query: { pulp_type: 'nope.nope' }, label: 'GET remotes pulp_type bad' });
      await s.request('GET', 'remotes/', {
        query: { pulp_type__in: 'file.file,rpm.rpm', name__startswith: prefix, fields: 'name' },
        label: 'GET remotes pulp_type__in',
      });
      const repo = hrefOf(await s.request('POST', 'repositories/file/file/', { body: { name: s.name('repo'), retain_repo_versions: 2 } }));
      await s.request('GET', 'repositories/file/file/', {
        query: { name__startswith: prefix, retain_repo_versions: '2' },
        label: 'GET file repositories retain',
      });
      await s.request('GET', 'repositories/file/file/', {
        query: { name__startswith: prefix, remote: 'null' },
        label: 'GET file repositories remote=null',
      });
      await s.request('GET', 'repositories/file/file/', { query: { remote: 'bogus' }, label: 'GET file repositories remote bogus' });
      await s.request('GET', 'repositories/file/file/', {
        query: { remote: '/pulp/api/v3/remotes/file/file/0190c0de-0000-7000-8000-000000000000/' },
        label: 'GET file repositories remote missing',
      });
      await s.request('GET', 'repositories/file/file/', {
        query: { latest_with_content: `${repo}`, name__startswith: prefix },
        label: 'GET file repositories latest_with_content',
      });
      await s.request('GET', `${repo}versions/`, { query: { number__range: '0,5' }, label: 'GET versions number__range' });
      await s.request('GET', `${repo}versions/`, { query: { pulp_created__lt: 'x' }, label: 'GET versions pulp_created bad' });
    },
  },
  {
    name: 'task-filters',
    covers:
      'task list filters: state and its choices, names, resources (href and PRN forms), created_resources, dates, pulp_href__in, ordering, cancel validation',
    run: async (s) => {
      const remote = hrefOf(await s.request('POST', 'remotes/file/file/', { body: { name: s.name('remote'), url: `${UPSTREAM}x/` } }));
      const patched = await s.call('PATCH', remote, { body: { url: `${UPSTREAM}y/` } });
      const task = (patched.body as { pulp_href?: string } | undefined)?.pulp_href ?? '';
      const tasks = (query: Record<string, string | string[]>, label: string) =>
        s.request('GET', 'tasks/', { query: { reserved_resources: remote, ...query }, label: `GET tasks ${label}` });
      await s.request('GET', 'tasks/', { query: { state: 'bogus' }, label: 'GET tasks state=bogus' });
      await s.request('GET', 'tasks/', { query: { state: 'Completed' }, label: 'GET tasks state=Completed' });
      await s.request('GET', 'tasks/', {
        query: { state__in: 'bogus,other', reserved_resources: remote },
        label: 'GET tasks state__in bogus',
      });
      await tasks({}, 'reserving the remote');
      await tasks({ state: 'completed' }, 'state=completed');
      await tasks({ state__in: 'waiting,running' }, 'state__in waiting,running');
      await tasks({ state__ne: 'completed' }, 'state__ne');
      await tasks({ name: 'nope' }, 'name');
      await tasks({ name__contains: 'update' }, 'name__contains update');
      await tasks({ name__in: 'a,b' }, 'name__in');
      await tasks({ started_at__gte: '2000-01-01T00:00:00Z' }, 'started_at__gte');
      await tasks({ finished_at__lt: 'soon' }, 'finished_at__lt bad');
      await tasks({ ordering: '-started_at' }, 'ordering -started_at');
      await tasks({ ordering: 'bogus' }, 'ordering bogus');
      await tasks({ fields: 'name,state' }, 'fields');
      await tasks({ worker: 'bogus' }, 'worker bogus');
      await tasks({ worker__isnull: 'true', fields: 'name' }, 'worker__isnull');
      await tasks({ parent_task: 'bogus' }, 'parent_task bogus');
      await tasks({ pulp_href__in: task }, 'pulp_href__in');
      await tasks({ logging_cid: 'nope' }, 'logging_cid');
      await s.request('GET', 'tasks/', { query: { exclusive_resources: remote, fields: 'name' }, label: 'GET tasks exclusive_resources' });
      await s.request('GET', 'tasks/', {
        query: { exclusive_resources__in: `${remote},/nope/`, fields: 'name' },
        label: 'GET tasks exclusive_resources__in',
      });
      await s.request('GET', 'tasks/', { query: { shared_resources: remote, fields: 'name' }, label: 'GET tasks shared_resources' });
      await s.request('GET', 'tasks/', {
        query: { reserved_resources_record: remote, fields: 'name' },
        label: 'GET tasks reserved_resources_record',
      });
      await s.request('GET', 'tasks/', {
        query: { created_resources: remote, fields: 'name' },
        label: 'GET tasks created_resources of a remote',
      });
      if (task) {
        await s.request('PATCH', task, { body: { state: 'running' }, label: 'PATCH task state running' });
        await s.request('PATCH', task, { body: {}, label: 'PATCH task without state' });
        await s.request('PATCH', task, { body: { state: 'canceled' }, label: 'PATCH finished task canceled' });
        await s.request('GET', task, { query: { fields: 'state,name' }, label: 'GET task fields' });
      }
    },
  },
  {
    name: 'labels',
    covers: 'set_label/unset_label (where they exist) and label updates through PATCH',
    run: async (s) => {
      const remote = hrefOf(
        await s.request('POST', 'remotes/rpm/rpm/', { body: { name: s.name('remote'), url: UPSTREAM, pulp_labels: { keep: 'x' } } }),
      );
      await s.request('POST', `${remote}set_label/`, { body: { key: 'env', value: 'dev' }, label: 'POST set_label' });
      await s.request('POST', `${remote}set_label/`, { body: { key: 'cf-env', value: 'x' }, label: 'POST set_label hyphen' });
      await s.request('POST', `${remote}set_label/`, { body: { key: 'a b', value: 'x' }, label: 'POST set_label space' });
      await s.request('POST', `${remote}set_label/`, { body: { key: 'nul', value: null }, label: 'POST set_label null' });
      await s.request('POST', `${remote}set_label/`, { body: { key: 'paren', value: '(x)' }, label: 'POST set_label parenthesis' });
      await s.request('POST', `${remote}set_label/`, { body: { value: 'x' }, label: 'POST set_label no key' });
      await s.request('GET', remote, { label: 'GET after set_label' });
      await s.request('POST', `${remote}unset_label/`, { body: { key: 'env' }, label: 'POST unset_label' });
      await s.request('POST', `${remote}unset_label/`, { body: { key: 'missing' }, label: 'POST unset_label missing' });
      await s.request('GET', remote, { label: 'GET after unset_label' });
      await s.call('PATCH', remote, { body: { pulp_labels: { only: 'this' } }, label: 'PATCH pulp_labels replaces' });
      await s.call('PATCH', remote, { body: { pulp_labels: { nul: null } }, label: 'PATCH null label value' });
      await s.request('GET', remote, { label: 'GET after PATCH labels' });
      const repo = hrefOf(await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('repo') } }));
      await s.request('POST', `${repo}set_label/`, { body: { key: 'env', value: 'dev' }, label: 'POST set_label on a repository' });
      await s.request('GET', 'repositories/rpm/rpm/', {
        query: { pulp_label_select: 'env=dev', name__startswith: s.name('') },
        label: 'GET repositories by the set label',
      });
      await s.request('POST', 'remotes/rpm/rpm/', {
        body: { name: s.name('dotted'), url: UPSTREAM, pulp_labels: { 'dotted.key': 'a,b', 'x y': 'z' } },
        label: 'POST remote with a dotted key and a comma value',
      });
      for (const select of ['dotted.key=a\\,b', 'dotted.key', 'x y=z', 'x y~Z,!missing', 'dotted.key=a,b']) {
        await s.request('GET', 'remotes/rpm/rpm/', {
          query: { pulp_label_select: select, name__startswith: s.name('') },
          label: `GET remotes by label ${select}`,
        });
      }
    },
  },
];
