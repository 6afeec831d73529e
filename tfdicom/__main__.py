import sys

from tfdicom.cli import main

sys.exit(main())
