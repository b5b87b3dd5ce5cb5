from stancemap.cli.main import main

if __name__ == "__main__":  # a guard, so that spawned worker processes (Dask, multiprocessing) do not run the CLI again
    main()
