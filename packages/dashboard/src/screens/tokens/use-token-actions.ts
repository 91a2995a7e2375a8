import type { Token } from '@userflare/client';
import { useState } from 'react';
import { statusOf } from '../../app/api';
import { useAdminClient, useApiClient, useSessionState } from '../../app/session';
import { utcTime } from '../../components/RelativeTime';
import type { RolledToken } from './RolledTokenDialog';
import { statusUpdateOf, type TokenAction } from './token-actions';

/**
 * Runs a row's action against the API and says what happened. `onChanged` reloads the list; a roll
 * hands its new value to `onRolled` instead, and the list reloads when that dialog closes (reloading
 * first could end the session of a token that just rolled itself, and lose the value on screen).
 */
export function useTokenActions({
  onChanged,
  onRolled,
}: {
  onChanged: () => void;
  onRolled: (rolled: RolledToken) => void;
}) {
  const client = useApiClient();
  const admin = useAdminClient();
  const { refresh } = useSessionState();
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const setStatus = async (token: Token, status: 'active' | 'disabled') => {
    // PUT replaces the whole token: start from what the server holds now, not the list's copy.
    const current = await client.user.tokens.get(token.id);
    await client.user.tokens.update(token.id, statusUpdateOf(current, status));
  };

  const perform = async (action: TokenAction, token: Token): Promise<string> => {
    const name = `“${token.name}”`;
    switch (action) {
      case 'roll': {
        const value = await client.user.tokens.value.update(token.id, {});
        onRolled({ name: token.name, value });
        return `Rolled ${name}: its previous value no longer works.`;
      }
      case 'disable':
        await setStatus(token, 'disabled');
        return `Disabled ${name}: requests with it are refused until it is enabled again.`;
      case 'enable':
        await setStatus(token, 'active');
        return `Enabled ${name}.`;
      case 'delete':
        await client.user.tokens.delete(token.id);
        return `Deleted ${name}.`;
      case 'leak': {
        const leaked = await admin.tokens.leak(token.id);
        return `Leaked ${name}: the emulator treats it as exposed on ${utcTime(leaked.exposed_on)} and disabled it.`;
      }
    }
  };

  /** For a confirmation dialog: throws, so the dialog shows Cloudflare's error and stays open. */
  const runConfirmed = async (action: TokenAction, token: Token) => {
    try {
      setNotice(await perform(action, token));
      if (action !== 'roll') onChanged();
    } catch (caught) {
      // 401: the session ended (its own token rolled, disabled or deleted): back to sign in.
      if (statusOf(caught) === 401) void refresh();
      throw caught;
    }
  };

  /** For an action without confirmation: a failure shows above the list. */
  const run = async (action: TokenAction, token: Token) => {
    try {
      await runConfirmed(action, token);
    } catch (caught) {
      setError(caught);
    }
  };

  const clear = () => {
    setNotice(undefined);
    setError(undefined);
  };

  return { notice, error, run, runConfirmed, clear };
}
