// express4 is `npm:express@4.18.0`, the lower end of the peer range; it shares Express's types.
declare module 'express4' {
  import express from 'express'
  export default express
}
