// Request validation with the domain's schemas (domain/validation.ts) happens in one place: the
// route table's mount (api/route-table.ts) checks each row's params, query and body and hands the
// parsed values to the handler, or answers a 400 problem listing every invalid field.

import { badRequest, type HttpProblem } from './problem.js';

/** The 400 for a request without a JSON body (express.json leaves `req.body` undefined then). */
export function missingBody(): HttpProblem {
  return badRequest([{ path: '(root)', message: 'a JSON body is required (Content-Type: application/json)' }]);
}
