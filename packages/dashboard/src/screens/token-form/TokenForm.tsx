import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Radio } from '@cloudflare/kumo/components/radio';
import { PlusIcon } from '@phosphor-icons/react';
import type { TokenStatus } from '@userflare/contract';
import { useCallback } from 'react';
import { IpFilterEditor } from './IpFilterEditor';
import { PolicyEditor, policyErrorKeys } from './PolicyEditor';
import { TtlEditor } from './TtlEditor';
import { emptyPolicy, type PolicyBlock } from './token-draft';
import { fieldKeys } from './token-validation';
import type { DraftState } from './use-draft-state';
import type { TokenFormData } from './use-token-form-data';

/** The first field: focus returns here when the summary goes back to the form. */
export const TOKEN_NAME_ID = 'token-name';

export interface TokenFormProps {
  state: DraftState;
  data: TokenFormData & { catalogue: NonNullable<TokenFormData['catalogue']> };
  userEmail: string;
  /** Edit shows the token's status. */
  withStatus?: boolean;
}

function errorsOf(block: PolicyBlock, errorAt: (key: string) => string | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const key of policyErrorKeys(block)) {
    const error = errorAt(key);
    if (error !== undefined) errors[key] = error;
  }
  return errors;
}

/** Token name, policies, Client IP Address Filtering, TTL (and status when editing): the one form of Create and Edit. */
export function TokenForm({ state, data, userEmail, withStatus = false }: TokenFormProps) {
  const { draft, setDraft, update, errorAt, touch } = state;
  const changePolicy = useCallback(
    (uid: string, next: PolicyBlock) =>
      update((current) => ({
        ...current,
        policies: current.policies.map((each) => (each.uid === uid ? next : each)),
      })),
    [update],
  );
  const removePolicy = useCallback(
    (uid: string) =>
      update((current) => ({ ...current, policies: current.policies.filter((each) => each.uid !== uid) })),
    [update],
  );
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-xl">
        <Input
          id={TOKEN_NAME_ID}
          label="Token name"
          value={draft.name}
          maxLength={120}
          error={errorAt(fieldKeys.name)}
          aria-invalid={errorAt(fieldKeys.name) !== undefined}
          onBlur={() => touch(fieldKeys.name)}
          onChange={(event) => setDraft({ ...draft, name: event.target.value })}
        />
      </div>
      <section aria-labelledby="permissions-heading" className="flex flex-col gap-3">
        <h2 id="permissions-heading" className="text-lg font-semibold text-kumo-default">
          Permissions
        </h2>
        <p className="max-w-3xl text-sm text-kumo-subtle">
          Each policy grants its permissions on the resources it includes. An excluded resource is denied
          those permissions even where an include reaches it. Edit is full create, read, update and delete;
          Read is read and list.
        </p>
        {draft.policies.map((block, index) => (
          <PolicyEditor
            key={block.uid}
            block={block}
            position={index + 1}
            catalogue={data.catalogue}
            accounts={data.accounts}
            accountsUnavailable={data.accountsUnavailable}
            userEmail={userEmail}
            errors={errorsOf(block, errorAt)}
            onTouch={touch}
            canRemove={draft.policies.length > 1}
            onChange={changePolicy}
            onRemove={removePolicy}
          />
        ))}
        <div>
          <Button
            icon={<PlusIcon aria-hidden />}
            onClick={() =>
              update((current) => ({ ...current, policies: [...current.policies, emptyPolicy()] }))
            }
          >
            Add policy
          </Button>
        </div>
      </section>
      <IpFilterEditor
        rules={draft.ipRules}
        errorAt={errorAt}
        onChange={(ipRules) => setDraft({ ...draft, ipRules })}
      />
      <TtlEditor
        notBefore={draft.notBefore}
        expiresOn={draft.expiresOn}
        errorAt={errorAt}
        onChange={(patch) => setDraft({ ...draft, ...patch })}
      />
      {withStatus && (
        <section aria-labelledby="status-heading" className="flex flex-col gap-3">
          <h2 id="status-heading" className="text-lg font-semibold text-kumo-default">
            Status
          </h2>
          {draft.status === 'expired' && (
            <p className="max-w-3xl text-sm text-kumo-subtle">
              The token has expired: its end date has passed. Choosing Active or Disabled sets what it is once
              the end date moves.
            </p>
          )}
          <Radio.Group
            legend="Token status"
            orientation="horizontal"
            value={draft.status === 'expired' ? null : (draft.status ?? null)}
            onValueChange={(next) => setDraft({ ...draft, status: next as TokenStatus })}
          >
            <Radio.Item label="Active" value="active" />
            <Radio.Item label="Disabled" value="disabled" />
          </Radio.Group>
        </section>
      )}
    </div>
  );
}
