from codemod.cli import main
import sys
sys.exit(main())
