import { errorItemsOf, statusOf } from '../../app/api';
import type { TokenDraft } from './token-draft';
import { fieldKeys } from './token-validation';

export interface PlacedErrors {
  /** Field key → the server's words for it. */
  fields: Map<string, string>;
  /** Whether some error named no field of the form: the whole error then goes to the banner. */
  unplaced: boolean;
}

/**
 * Places a 400's errors at the form's fields. userflare words a field error `<field>: <why>`
 * (REFERENCE §9), e.g. `name: must not be blank` or `condition.request_ip.in[1]: must be …`.
 */
export function placeServerErrors(error: unknown, draft: TokenDraft): PlacedErrors {
  const fields = new Map<string, string>();
  const items = statusOf(error) === 400 ? errorItemsOf(error) : [];
  let unplaced = items.length === 0;
  for (const { message } of items) {
    const colon = message.indexOf(': ');
    const field = colon > 0 ? message.slice(0, colon) : '';
    const why = message.slice(colon + 2);
    const ip = /^condition\.request_ip\.(in|not_in)\[(\d+)\]$/.exec(field);
    let key: string | undefined;
    if (field === 'name') key = fieldKeys.name;
    else if (field === 'not_before') key = fieldKeys.notBefore;
    else if (field === 'expires_on') key = fieldKeys.expiresOn;
    else if (ip) {
      const rule = draft.ipRules.filter((each) => each.operator === ip[1])[Number(ip[2])];
      key = rule ? fieldKeys.ip(rule.uid) : undefined;
    }
    if (key) fields.set(key, `The server refused it: ${why}`);
    else unplaced = true;
  }
  return { fields, unplaced };
}
