import { describe, expect, it } from 'vitest';
import { taskOptionsFromConfig } from '../api/tasks.js';
import { configFromObject } from '../config/load.js';
import {
  clusterActivityOptions,
  controlActivityOptions,
  defaultTaskOptions,
  MAX_AGENT_GRACE_SECONDS,
  readinessActivityOptions,
} from '../temporal/activity-options.js';
import { msToNumber } from '@temporalio/common/lib/time.js';

// heartbeatTimeoutSeconds, agentGraceSeconds and stagingMaxAgeMinutes are configuration keys that
// reach what they govern.

describe('heartbeatTimeoutSeconds', () => {
  it('reaches the heartbeat timeout of every cluster activity of the tasks the API starts', () => {
    const options = taskOptionsFromConfig(configFromObject({ heartbeatTimeoutSeconds: 7 }));
    expect(options.heartbeatTimeoutSeconds).toBe(7);
    expect(clusterActivityOptions('cluster-a', options).heartbeatTimeout).toBe('7 seconds');
    expect(readinessActivityOptions('cluster-a', options).heartbeatTimeout).toBe('7 seconds');
  });

  it('defaults to 15 s, so a killed agent is noticed within 20 s, in the file and in a task without options', () => {
    expect(taskOptionsFromConfig(configFromObject({})).heartbeatTimeoutSeconds).toBe(15);
    expect(defaultTaskOptions.heartbeatTimeoutSeconds).toBe(15);
  });
});

describe('agentGraceSeconds', () => {
  it('defaults to 60 s and is refused above what one control activity attempt allows', () => {
    expect(configFromObject({}).agentGraceSeconds).toBe(60);
    expect(configFromObject({ agentGraceSeconds: 0 }).agentGraceSeconds).toBe(0);
    expect(configFromObject({ agentGraceSeconds: MAX_AGENT_GRACE_SECONDS }).agentGraceSeconds).toBe(240);
    expect(() => configFromObject({ agentGraceSeconds: MAX_AGENT_GRACE_SECONDS + 1 })).toThrow(/agentGraceSeconds/);
    // ensureAgent runs under controlActivityOptions: the longest grace plus its last check must fit an attempt.
    expect(MAX_AGENT_GRACE_SECONDS * 1000 + 30_000).toBeLessThan(
      msToNumber(controlActivityOptions.startToCloseTimeout!),
    );
  });
});

describe('stagingMaxAgeMinutes', () => {
  it('defaults to 60 minutes and takes a positive integer', () => {
    expect(configFromObject({}).stagingMaxAgeMinutes).toBe(60);
    expect(configFromObject({ stagingMaxAgeMinutes: 5 }).stagingMaxAgeMinutes).toBe(5);
    expect(() => configFromObject({ stagingMaxAgeMinutes: 0 })).toThrow(/stagingMaxAgeMinutes/);
  });
});
