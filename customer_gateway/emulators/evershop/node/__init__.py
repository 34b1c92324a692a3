"""What EverShop's runtime says, word for word: Node 20 / V8 (`js`), graphql-js 16
(`graphql_js16`), ajv with ajv-errors (`ajv`) and body-parser (`bodyparser`). See README.md."""
