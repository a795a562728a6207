// What global setup hands the end-to-end tests (see worker-global-setup.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
}

export {}
