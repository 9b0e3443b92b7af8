// YAML input for resource modifiers (a Velero ConfigMap's value, YAML patchData). For the API and
// activities only: the `yaml` package's Node build is not allowed in Temporal workflow bundles.

import { parse } from 'yaml';
import { parseResourceModifiers, type ParseResult } from './resource-modifiers.js';

/** parseResourceModifiers reading the config and every patchData as YAML (a superset of JSON). */
export function parseResourceModifiersYaml(input: unknown): ParseResult {
  return parseResourceModifiers(input, (text) => parse(text) as unknown);
}
