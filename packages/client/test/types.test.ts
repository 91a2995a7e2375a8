import {
  type APIError,
  type AuditLog,
  type BillingHistory,
  type Invite,
  type Organization,
  type PagePromise,
  type PermissionGroupListResponse,
  type ProfileGetResponse,
  type RequestOptions,
  type ResultInfo,
  type SinglePage,
  type Subscription,
  Userflare,
  type V4PagePaginationArray,
} from '@userflare/client';
import type { Token, TokenWithValue, User } from '@userflare/contract';
import { describe, expectTypeOf, it } from 'vitest';

// Compile-time checks, run by `tsc -p tsconfig.test.json` in `npm run check`: the SDK's signatures match
// the seed (seed/user-api-reference.txt) and its types are the contract's.

const client = new Userflare({ apiToken: 't', baseURL: 'http://127.0.0.1:1', maxRetries: 0 });

describe('method signatures', () => {
  it('user', () => {
    expectTypeOf(client.user.get).returns.toEqualTypeOf<Promise<User>>();
    expectTypeOf(client.user.edit).parameter(0).toHaveProperty('first_name');
    expectTypeOf(client.user.edit).returns.toEqualTypeOf<Promise<User>>();
  });

  it('paged lists resolve to pages and iterate items', () => {
    expectTypeOf(client.user.tokens.list).returns.toEqualTypeOf<
      PagePromise<V4PagePaginationArray<Token>, Token>
    >();
    expectTypeOf<Awaited<ReturnType<typeof client.user.tokens.list>>>().toEqualTypeOf<
      V4PagePaginationArray<Token>
    >();
    expectTypeOf<V4PagePaginationArray<Token>['result']>().toEqualTypeOf<Token[]>();
    expectTypeOf<V4PagePaginationArray<Token>['result_info']>().toEqualTypeOf<ResultInfo | undefined>();
    expectTypeOf<ReturnType<typeof client.user.tokens.list>>().toExtend<AsyncIterable<Token>>();
    expectTypeOf<ReturnType<typeof client.user.auditLogs.list>>().toExtend<AsyncIterable<AuditLog>>();
    expectTypeOf<ReturnType<typeof client.user.billing.history.list>>().toExtend<
      PromiseLike<V4PagePaginationArray<BillingHistory>>
    >();
    expectTypeOf<ReturnType<typeof client.user.organizations.list>>().toExtend<
      PromiseLike<V4PagePaginationArray<Organization>>
    >();
  });

  it('single-page lists', () => {
    expectTypeOf(client.user.invites.list).parameters.toEqualTypeOf<[options?: RequestOptions]>();
    expectTypeOf<ReturnType<typeof client.user.invites.list>>().toExtend<PromiseLike<SinglePage<Invite>>>();
    expectTypeOf<ReturnType<typeof client.user.subscriptions.get>>().toExtend<
      PromiseLike<SinglePage<Subscription>>
    >();
    expectTypeOf<ReturnType<typeof client.user.tokens.permissionGroups.list>>().toExtend<
      PromiseLike<SinglePage<PermissionGroupListResponse>>
    >();
  });

  it('tokens', () => {
    expectTypeOf(client.user.tokens.get).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(client.user.tokens.get).returns.toEqualTypeOf<Promise<Token>>();
    expectTypeOf(client.user.tokens.create).returns.toEqualTypeOf<Promise<TokenWithValue>>();
    expectTypeOf(client.user.tokens.update).returns.toEqualTypeOf<Promise<Token>>();
    expectTypeOf(client.user.tokens.delete).returns.toEqualTypeOf<Promise<{ id: string } | null>>();
    expectTypeOf(client.user.tokens.verify).returns.toEqualTypeOf<
      Promise<{
        id: string;
        status: 'active' | 'disabled' | 'expired';
        not_before?: string;
        expires_on?: string;
      }>
    >();
    expectTypeOf(client.user.tokens.value.update).returns.toEqualTypeOf<Promise<string>>();
  });

  it('invites, organizations, subscriptions, billing', () => {
    expectTypeOf(client.user.invites.get).returns.toEqualTypeOf<Promise<Invite>>();
    expectTypeOf(client.user.invites.edit).parameter(1).toEqualTypeOf<{ status: 'accepted' | 'rejected' }>();
    expectTypeOf(client.user.organizations.get).returns.toEqualTypeOf<Promise<Organization>>();
    expectTypeOf(client.user.organizations.delete).returns.toEqualTypeOf<Promise<{ id: string }>>();
    expectTypeOf(client.user.subscriptions.update).returns.toEqualTypeOf<Promise<Subscription>>();
    expectTypeOf(client.user.subscriptions.delete).returns.toEqualTypeOf<
      Promise<{ subscription_id: string }>
    >();
    expectTypeOf(client.user.billing.profile.get).returns.toEqualTypeOf<Promise<ProfileGetResponse>>();
  });

  it('rejects calls the seed does not allow', () => {
    // @ts-expect-error name and policies are required
    void (() => client.user.tokens.create({ name: 'x' }));
    // @ts-expect-error an invite is answered with accepted or rejected only
    void (() => client.user.invites.edit('id', { status: 'pending' }));
    // @ts-expect-error audit log filters are nested objects, as in the official SDK
    void (() => client.user.auditLogs.list({ 'action.type': 'add' }));
    // @ts-expect-error verify takes no id
    void (() => client.user.tokens.verify('id'));
    expectTypeOf<APIError['errors'][number]['code']>().toEqualTypeOf<number>();
  });
});
