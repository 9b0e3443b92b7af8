import type { KubeObject } from '../../resources/types.js';
import type { ActionResult, RestoreAction, RestoreContext } from '../types.js';
import { clone } from '../util.js';

/** Runs one action as the pipeline would: on a copy, with the backed-up object as `original`. */
export function run(
  action: RestoreAction,
  obj: KubeObject,
  ctx: RestoreContext = {},
  groupResource = '',
): ActionResult {
  return action({ object: clone(obj), original: obj, groupResource, ctx });
}
