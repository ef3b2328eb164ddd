from ratecard.cli import main

main()
