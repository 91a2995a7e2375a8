import { PageHeader } from '../../components/PageHeader';

export function InvitesScreen() {
  return <PageHeader title="Invites" description="This screen is being built." />;
}
