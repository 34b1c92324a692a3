from customer_gateway.server.cli import main

raise SystemExit(main())
