import { SecretShownOnceDialog } from '../../components/SecretShownOnceDialog';

export interface RolledToken {
  name: string;
  value: string;
}

/** The new value of a rolled token, shown this once. */
export function RolledTokenDialog({
  rolled,
  onClose,
}: {
  rolled: RolledToken | undefined;
  onClose: () => void;
}) {
  return (
    <SecretShownOnceDialog
      value={rolled?.value}
      title="Token rolled successfully"
      description={`Copy the new value of “${rolled?.name}” now. The previous value no longer works.`}
      valueLabel="New API token value"
      valueTestId="rolled-token-value"
      onClose={onClose}
    />
  );
}
