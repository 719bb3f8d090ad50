from plantrack.cli import main

main()
