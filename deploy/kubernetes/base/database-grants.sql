-- Least-privilege grants for the services' roles (SPEC "Two databases"), applied by the
-- migration Job after the migrations, as each database's owner. The same grants as
-- Encimap.Database's DatabaseProvisioner applies on the development cluster. Safe to run again.
\set ON_ERROR_STOP on

\connect motorical_encrypted_imap encimap
REVOKE ALL ON DATABASE motorical_encrypted_imap FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE motorical_encrypted_imap TO encimap_app;
GRANT USAGE ON SCHEMA public TO encimap_app;
ALTER DEFAULT PRIVILEGES FOR ROLE encimap IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO encimap_app;
ALTER DEFAULT PRIVILEGES FOR ROLE encimap IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO encimap_app;
ALTER DEFAULT PRIVILEGES FOR ROLE encimap IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO encimap_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO encimap_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO encimap_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO encimap_app;
REVOKE ALL ON TABLE public.schema_migrations FROM encimap_app;
GRANT SELECT ON TABLE public.schema_migrations TO encimap_app;

\connect motorical_db motorical
REVOKE ALL ON DATABASE motorical_db FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE motorical_db TO encimap_platform_reader;
GRANT USAGE ON SCHEMA public TO encimap_platform_reader;
GRANT SELECT ON TABLE public.users, public.domains, public.motor_blocks TO encimap_platform_reader;
