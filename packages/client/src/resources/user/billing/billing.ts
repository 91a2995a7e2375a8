import { APIResource } from '../../../core/resource.js';
import { History } from './history.js';
import { Profile } from './profile.js';

/** `/user/billing`: history and profile. */
export class Billing extends APIResource {
  /** `/user/billing/history`. */
  readonly history: History = new History(this._client);
  /** `/user/billing/profile`. */
  readonly profile: Profile = new Profile(this._client);
}
