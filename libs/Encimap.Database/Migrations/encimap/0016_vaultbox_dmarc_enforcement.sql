-- Per-vaultbox override of the MX's DMARC enforcement (Smtp:Mx:Authentication:DmarcEnforcement):
-- what a message that fails the sender domain's DMARC policy does for this vaultbox. 'enforce':
-- p=reject is refused at the end of DATA, p=quarantine goes to Junk; 'quarantine': both go to
-- Junk; 'monitor': both go to INBOX, marked in Authentication-Results. NULL: the deployment's
-- setting. Set through PATCH /s2s/v1/vaultboxes/{id}; read by the intake's ResolveRecipient.
ALTER TABLE vaultboxes
    ADD COLUMN dmarc_enforcement text
        CONSTRAINT vaultboxes_dmarc_enforcement_check CHECK (dmarc_enforcement IN ('enforce', 'quarantine', 'monitor'));
