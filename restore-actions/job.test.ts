import { describe, expect, it } from 'vitest';
import { jobAction } from './job.js';
import { job, JOB_UID } from './testdata/objects.js';
import { run } from './testdata/run.js';

type JobSpec = {
  selector?: { matchLabels?: Record<string, string> };
  manualSelector?: boolean;
  template: { metadata: { labels: Record<string, string> } };
};

describe('Job restore', () => {
  it('drops the generated selector and the controller-uid template labels, keeping job-name', () => {
    const spec = run(jobAction, job()).object.spec as JobSpec;
    expect(spec.selector).toBeUndefined();
    expect(spec.template.metadata.labels).toEqual({ 'batch.kubernetes.io/job-name': 'migrate', 'job-name': 'migrate' });
  });

  it('with manualSelector keeps the user selector minus controller-uid', () => {
    const j = job();
    const s = j.spec as JobSpec;
    s.manualSelector = true;
    s.selector = { matchLabels: { app: 'migrate', 'controller-uid': JOB_UID } };
    const out = run(jobAction, j).object.spec as JobSpec;
    expect(out.selector).toEqual({ matchLabels: { app: 'migrate' } });
  });

  it('skips a finished job', () => {
    const j = job();
    j.status = { succeeded: 1, completionTime: '2024-03-01T08:05:00Z' };
    expect(run(jobAction, j)).toMatchObject({ skip: true, reason: 'the job has completed' });
    const failed = job();
    failed.status = { failed: 4, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] };
    expect(run(jobAction, failed)).toMatchObject({ skip: true, reason: 'the job has finished (condition Failed)' });
  });
});
