import { useSession } from '../../app/session';
import { CurlSnippet, curlCommand } from '../../components/CurlSnippet';
import { SecretShownOnceDialog } from '../../components/SecretShownOnceDialog';

export interface CreatedToken {
  name: string;
  value: string;
}

/** The new token's value, shown this once, with the verify command for this server. */
export function TokenValueDialog({
  created,
  onClose,
}: {
  created: CreatedToken | undefined;
  onClose: () => void;
}) {
  const session = useSession();
  const command = created
    ? curlCommand({
        method: 'GET',
        url: `${session.server_url}/user/tokens/verify`,
        headers: { Authorization: `Bearer ${created.value}` },
      })
    : '';
  return (
    <SecretShownOnceDialog
      value={created?.value}
      title={`“${created?.name}” API token was created`}
      description="Copy this token now: it is shown only this once."
      valueLabel="API token value"
      valueTestId="created-token-value"
      copyLabel="Copy token"
      size="xl"
      onClose={onClose}
    >
      <div className="flex flex-col gap-2">
        <p className="text-sm font-medium">Test this token</p>
        <CurlSnippet command={command} label="Copy command" />
      </div>
    </SecretShownOnceDialog>
  );
}
