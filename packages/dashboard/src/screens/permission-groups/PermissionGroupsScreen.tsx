import { PageHeader } from '../../components/PageHeader';

export function PermissionGroupsScreen() {
  return <PageHeader title="Permission groups" description="This screen is being built." />;
}
