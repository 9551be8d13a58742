from tongwei_cli.cli import main

main()
