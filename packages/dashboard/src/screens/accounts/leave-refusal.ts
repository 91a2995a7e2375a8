import { errorItemsOf } from '../../app/api';

/** userflare's code for "you are the last Super Administrator" (packages/userflare/src/http/errors.ts). */
export const LAST_SUPER_ADMINISTRATOR = 1103;

export interface LeaveRefusal {
  /** The refusal in plain words, naming the account. */
  summary: string;
  code: number;
  /** The API's own message, kept visible beside the code. */
  message: string;
}

/**
 * The "last Super Administrator" refusal of `DELETE /user/organizations/{id}` in words (issue 13);
 * undefined for any other error, which is shown as the API gave it.
 */
export function leaveRefusalOf(error: unknown, accountName: string): LeaveRefusal | undefined {
  const item = errorItemsOf(error).find((candidate) => candidate.code === LAST_SUPER_ADMINISTRATOR);
  if (!item) return undefined;
  return {
    summary: `You are the last Super Administrator of ${accountName}: make someone else one before you leave.`,
    code: item.code,
    message: item.message,
  };
}
