import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';

/** The signed-in API client, for every page below the shell. */
export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside a signed-in console');
  return api;
}
