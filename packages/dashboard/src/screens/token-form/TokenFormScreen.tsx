/** The routes' entry (App.tsx): `/tokens/new` and `/tokens/:tokenId`. */
export { CreateTokenScreen } from './CreateTokenScreen';
export { EditTokenScreen } from './EditTokenScreen';
