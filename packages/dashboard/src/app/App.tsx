import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ApiErrorBanner } from '../components/ApiErrorBanner';
import { LoadingState } from '../components/LoadingState';
import { SignInScreen } from '../screens/sign-in/SignInScreen';
import { TokensScreen } from '../screens/tokens/TokensScreen';
import { BASE_PATH } from './base-path';
import { Layout } from './Layout';
import { useSessionState } from './session';

// The tokens list is the first screen and ships in the entry chunk; the rest load when opened.
const named = <K extends string>(load: () => Promise<Record<K, () => ReactNode>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));
const CreateTokenScreen = named(() => import('../screens/token-form/TokenFormScreen'), 'CreateTokenScreen');
const EditTokenScreen = named(() => import('../screens/token-form/TokenFormScreen'), 'EditTokenScreen');
const AuditLogScreen = named(() => import('../screens/audit-log/AuditLogScreen'), 'AuditLogScreen');
const ProfileScreen = named(() => import('../screens/profile/ProfileScreen'), 'ProfileScreen');
const PermissionGroupsScreen = named(
  () => import('../screens/permission-groups/PermissionGroupsScreen'),
  'PermissionGroupsScreen',
);
const InvitesScreen = named(() => import('../screens/invites/InvitesScreen'), 'InvitesScreen');
const AccountsScreen = named(() => import('../screens/accounts/AccountsScreen'), 'AccountsScreen');
const BillingScreen = named(() => import('../screens/billing/BillingScreen'), 'BillingScreen');
const EmulatorRoutes = named(() => import('../screens/emulator/EmulatorRoutes'), 'EmulatorRoutes');

/**
 * Kumo's navigation renders plain links; a click on one inside the dashboard is handled here as a
 * client-side navigation instead of a page load. Modified clicks (new tab) keep the browser's way.
 */
function useInAppLinks() {
  const navigate = useNavigate();
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (
        event.defaultPrevented ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey ||
        event.altKey
      )
        return;
      const anchor = (event.target as Element | null)?.closest?.('a[href]');
      if (!(anchor instanceof HTMLAnchorElement) || anchor.target || anchor.hasAttribute('download')) return;
      const url = new URL(anchor.href);
      if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE_PATH}/`)) return;
      event.preventDefault();
      navigate(url.pathname.slice(BASE_PATH.length) + url.search + url.hash);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, [navigate]);
}

/** Screens of the signed-in user; an emulator-only session is sent to sign in with a credential. */
function RequireUser({ children }: { children: ReactNode }) {
  const { session } = useSessionState();
  const location = useLocation();
  if (!session?.user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  return <Layout>{children}</Layout>;
}

/** The Emulator pages: any session; the pages themselves ask for the admin key when it is missing. */
function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSessionState();
  const location = useLocation();
  if (!session) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <Layout>{children}</Layout>;
}

export function App() {
  useInAppLinks();
  const { session, error } = useSessionState();
  if (session === undefined) return <LoadingState label="Checking your session…" />;
  if (error !== undefined && session === null)
    return (
      <main className="mx-auto max-w-xl p-8">
        <h1 className="mb-4 text-2xl font-semibold">userflare</h1>
        <ApiErrorBanner error={error} title="The server did not answer" />
      </main>
    );
  const user = (screen: ReactNode) => (
    <RequireUser>
      <Suspense fallback={<LoadingState />}>{screen}</Suspense>
    </RequireUser>
  );
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInScreen />} />
      <Route path="/tokens" element={user(<TokensScreen />)} />
      <Route path="/tokens/new" element={user(<CreateTokenScreen />)} />
      <Route path="/tokens/:tokenId" element={user(<EditTokenScreen />)} />
      <Route path="/audit-log" element={user(<AuditLogScreen />)} />
      <Route path="/profile" element={user(<ProfileScreen />)} />
      <Route path="/invites" element={user(<InvitesScreen />)} />
      <Route path="/accounts" element={user(<AccountsScreen />)} />
      <Route path="/billing" element={user(<BillingScreen />)} />
      <Route path="/permission-groups" element={user(<PermissionGroupsScreen />)} />
      <Route
        path="/emulator/*"
        element={
          <RequireSession>
            <Suspense fallback={<LoadingState />}>
              <EmulatorRoutes />
            </Suspense>
          </RequireSession>
        }
      />
      <Route path="*" element={<Navigate to={session?.user ? '/tokens' : '/sign-in'} replace />} />
    </Routes>
  );
}
