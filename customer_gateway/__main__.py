from customer_gateway.cli import main

raise SystemExit(main())
