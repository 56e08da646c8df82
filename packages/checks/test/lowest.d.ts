// The oldest supported client releases, installed under aliases for lower-peer-range tests.
// Those without types of their own are typed as their current release.
declare module 'pg-lowest' {
  import pg from 'pg'
  export default pg
}
declare module 'amqplib-lowest' {
  export * from 'amqplib'
}
