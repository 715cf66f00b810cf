export * from './fake-platform';
export * from './fake-github';
export * from './fake-slack';
export * from './fake-atlassian';
export * from './sandbox';
