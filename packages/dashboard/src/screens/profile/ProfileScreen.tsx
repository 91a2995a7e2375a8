import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { InlineCopyText } from '@cloudflare/kumo/components/inline-copy-text';
import { Input } from '@cloudflare/kumo/components/input';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { CheckCircleIcon } from '@phosphor-icons/react';
import type { User } from '@userflare/contract';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useApiClient, useCapability } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import {
  changesOf,
  draftOf,
  fieldErrorsOf,
  PROFILE_FIELDS,
  type ProfileDraft,
  type ProfileField,
} from './profile-fields';

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 sm:grid-cols-[14rem_1fr] sm:items-baseline sm:gap-4">
      <dt className="text-sm font-medium text-kumo-subtle">{term}</dt>
      <dd className="min-w-0 break-words text-kumo-default">{children}</dd>
    </div>
  );
}

function zonePlans(user: User): string {
  const plans = [
    user.has_pro_zones && 'Pro',
    user.has_business_zones && 'Business',
    user.has_enterprise_zones && 'Enterprise',
  ].filter(Boolean);
  return plans.length ? plans.join(', ') : 'None';
}

/** What `GET /user` shows and the API does not let the user change. */
function AccountDetails({ user }: { user: User }) {
  return (
    <LayerCard className="p-6">
      <h2 className="mb-4 text-lg font-semibold text-kumo-default">Account</h2>
      <dl className="flex flex-col gap-3">
        <Detail term="Email address">{user.email}</Detail>
        <Detail term="User ID">
          <InlineCopyText labels={{ copyAction: 'Copy the user ID', copied: 'User ID copied' }}>
            {user.id}
          </InlineCopyText>
        </Detail>
        <Detail term="Two-factor authentication">
          {user.two_factor_authentication_enabled ? 'Enabled' : 'Not enabled'}
          {user.two_factor_authentication_locked && ' · required by an account you belong to'}
        </Detail>
        <Detail term="Status">{user.suspended ? 'Suspended' : 'Active'}</Detail>
        <Detail term="Zones on paid plans">{zonePlans(user)}</Detail>
        <Detail term="Betas">{user.betas.length ? user.betas.join(', ') : 'None'}</Detail>
        <Detail term="Organizations">
          {user.organizations.length === 0 ? (
            'None'
          ) : (
            <ul className="flex flex-col gap-1">
              {user.organizations.map((org) => (
                <li key={org.id}>
                  {org.name} <span className="text-kumo-subtle">· {org.roles.join(', ') || org.status}</span>
                </li>
              ))}
            </ul>
          )}
        </Detail>
      </dl>
    </LayerCard>
  );
}

/** The editable fields of `PATCH /user`; Save sends only what changed. */
function ProfileForm({ user, onSaved }: { user: User; onSaved: (user: User) => void }) {
  const client = useApiClient();
  const capability = useCapability('PATCH /client/v4/user');
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(user));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<string[] | undefined>(undefined);
  useEffect(() => setDraft(draftOf(user)), [user]);

  const changes = changesOf(user, draft);
  const changed = Object.keys(changes) as ProfileField[];
  const { fields: fieldErrors, rest } =
    error === undefined ? { fields: {}, rest: false } : fieldErrorsOf(error);
  const fieldErrorCount = Object.keys(fieldErrors).length;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (changed.length === 0 || !capability.allowed) return;
    setSaving(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const updated = await client.user.edit(changes);
      setSaved(changed.map((name) => PROFILE_FIELDS.find((field) => field.name === name)?.label ?? name));
      onSaved(updated);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <LayerCard className="p-6">
      <h2 className="mb-1 text-lg font-semibold text-kumo-default">Personal information</h2>
      <p className="mb-4 text-sm text-kumo-subtle">
        Saved with <code>PATCH /user</code>: only the fields you change are sent; an emptied field is cleared.
      </p>
      <form noValidate onSubmit={save} className="flex flex-col gap-4">
        <div className="grid gap-4 md:grid-cols-2">
          {PROFILE_FIELDS.map((field) => (
            <Input
              key={field.name}
              label={field.label}
              name={field.name}
              autoComplete={field.autoComplete}
              value={draft[field.name]}
              disabled={!capability.allowed || saving}
              description={`Up to ${field.maxLength} characters.`}
              error={fieldErrors[field.name]}
              aria-invalid={fieldErrors[field.name] ? true : undefined}
              onChange={(event) => {
                setDraft({ ...draft, [field.name]: event.target.value });
                setSaved(undefined);
              }}
            />
          ))}
        </div>
        {error !== undefined && fieldErrorCount > 0 && (
          <p role="alert" className="text-sm text-kumo-danger">
            Not saved: {fieldErrorCount === 1 ? 'one field needs' : `${fieldErrorCount} fields need`}{' '}
            attention.
          </p>
        )}
        {error !== undefined && rest && <ApiErrorBanner error={error} title="Your profile was not saved" />}
        {saved && (
          <div role="status">
            <Banner
              icon={<CheckCircleIcon aria-hidden />}
              title="Profile saved"
              description={`Changed: ${saved.join(', ')}.`}
            />
          </div>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <Button
            type="submit"
            variant="primary"
            loading={saving}
            disabled={changed.length === 0 || !capability.allowed}
          >
            Save
          </Button>
          <Button
            type="button"
            disabled={changed.length === 0 || saving}
            onClick={() => {
              setDraft(draftOf(user));
              setError(undefined);
            }}
          >
            Discard changes
          </Button>
          <span className="text-sm text-kumo-subtle">
            {!capability.allowed
              ? `You cannot edit your profile with this credential: ${capability.reason ?? 'it lacks User Details Write.'}`
              : changed.length === 0
                ? 'No changes to save.'
                : `${changed.length} unsaved ${changed.length === 1 ? 'change' : 'changes'}.`}
          </span>
        </div>
      </form>
    </LayerCard>
  );
}

/** My Profile: the user's details (`GET /user`) and the fields they may change (`PATCH /user`). */
export function ProfileScreen() {
  const client = useApiClient();
  const { data, error, loading, reload } = useApi(() => client.user.get(), [client]);
  const [user, setUser] = useState<User | undefined>(undefined);
  useEffect(() => setUser(data), [data]);

  return (
    // An opaque page colour under the translucent banners: the shell's body has none, and axe-core
    // then measures their dark-theme contrast against white.
    <div className="bg-kumo-base">
      <PageHeader title="Profile" description="Your user details, as GET /user answers them." />
      {error !== undefined && (
        <div className="mb-4 flex flex-col items-start gap-2">
          <ApiErrorBanner error={error} title="Could not load your profile" />
          <Button onClick={reload}>Try again</Button>
        </div>
      )}
      {loading && !user ? (
        <LoadingState label="Loading your profile…" />
      ) : (
        user && (
          <div className="flex max-w-4xl flex-col gap-6">
            <ProfileForm user={user} onSaved={setUser} />
            <AccountDetails user={user} />
          </div>
        )
      )}
    </div>
  );
}
