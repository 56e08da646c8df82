// koa2 is `npm:koa@2.14.0`, the lower end of the peer range; it shares Koa's types.
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
