from innboks.cli import main

raise SystemExit(main())
