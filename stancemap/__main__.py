from stancemap.cli.main import main

main()
